# C types for detect/text.py when detect.native compiles it (the .py stays the source).
import cython

@cython.locals(lo=Py_ssize_t, hi=Py_ssize_t, n=Py_ssize_t)
cpdef str snippet(str original, Py_ssize_t start, Py_ssize_t end, Py_ssize_t context=*)

@cython.locals(kept=Py_ssize_t, i=Py_ssize_t, c=Py_UCS4, u=cython.uint, drop=cython.uint)
cpdef Py_ssize_t _fold_loop(str joined, const unsigned int[::1] units, const unsigned short[::1] coding,
                            Py_ssize_t[::1] positions, unsigned int[::1] codes, unsigned short[::1] coded)
