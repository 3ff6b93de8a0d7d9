#include "memlab/object.h"
/* the student's own idea of the function */
int obj_getrefcount(ml_object *op, int extra);
