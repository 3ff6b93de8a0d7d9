extern void __gcov_dump(void);
extern int __gcov_fork(void);
