# C types for detect/text.py when detect.native compiles it (the .py stays the source).
import cython

@cython.locals(lo=Py_ssize_t, hi=Py_ssize_t, n=Py_ssize_t)
cpdef str snippet(str original, Py_ssize_t start, Py_ssize_t end, Py_ssize_t context=*)
