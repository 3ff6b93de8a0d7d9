int strcmp(const char *a, const char *b)
{
    (void)a;
    (void)b;
    return 0;
}
