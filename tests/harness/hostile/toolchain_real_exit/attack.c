extern void __real__exit(int);
