/* the definition below is renamed away */
#define obj_total_refcount obj_total_refcount_renamed
