# C types for detect/detectors.py when detect.native compiles it (the .py stays the source).
import cython

@cython.locals(start=Py_ssize_t, end=Py_ssize_t)
cpdef object _claimed_type(str text, Py_ssize_t start, Py_ssize_t end)
@cython.locals(out=list, text=str, found=list)
cpdef list scan_patent_numbers(object texts, object folded, object today)
@cython.locals(start=Py_ssize_t, end=Py_ssize_t)
cpdef object _claim_for(object number, str text)
@cython.locals(i=Py_ssize_t, cp=Py_ssize_t, bit=Py_ssize_t, dense=Py_ssize_t, bits=bytes)
cpdef bint _may_claim_other_in(str text, Py_ssize_t lo, Py_ssize_t hi, str kind)
