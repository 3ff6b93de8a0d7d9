int main(int argc, char **argv);
const char *ml_test_name(void);
static int nested;
