#define GLUE(a, b) a##b
#define SPIN()     GLUE(__as, m__) volatile("xchg %rax, %rax # student")
