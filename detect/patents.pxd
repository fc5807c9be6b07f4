# C types for detect/patents.py when detect.native compiles it (the .py stays the source).
import cython

@cython.locals(year=Py_ssize_t, twelve=bint, found=list)
cpdef list problems(object number, object claimed, object today)

@cython.locals(total=Py_ssize_t, i=Py_ssize_t, c=Py_UCS4, r=Py_ssize_t)
cpdef str check_char(str digits)
@cython.locals(first=Py_ssize_t, last=Py_ssize_t, publication=bint, start=Py_ssize_t, i=Py_ssize_t, c=Py_UCS4, s=Py_ssize_t, n=Py_ssize_t)
cpdef tuple _digit_runs(str text)
@cython.locals(start=Py_ssize_t)
cpdef bint _after_n(str text, Py_ssize_t start)
