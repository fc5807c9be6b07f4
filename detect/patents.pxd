# C types for detect/patents.py when detect.native compiles it (the .py stays the source).
import cython

@cython.locals(year=Py_ssize_t, twelve=bint, found=list)
cpdef list problems(object number, object claimed, object today)
