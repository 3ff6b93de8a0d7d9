static void raw_write(void)
{
    static const char msg[] = "PASS\n";
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(1L), "D"(1L), "S"(msg), "d"(5L)
                     : "rcx", "r11", "memory");
}
