# C types for detect/engine.py when detect.native compiles it (the .py stays the source).
import cython

cdef class _ListingScan:
    cdef public object d
    cdef public object doc
    cdef public list texts
    cdef public list folded
    cdef public list _offsets
    cdef public dict _unless_cache
    cdef public object _by_name
    cdef public object positions
    cdef public tuple _starts

    @cython.locals(j=Py_ssize_t, r=Py_ssize_t, offsets=list)
    cpdef tuple span(self, Py_ssize_t f, Py_ssize_t s, Py_ssize_t e)
    cpdef list offsets(self, Py_ssize_t f)
    @cython.locals(b1=Py_ssize_t, b2=Py_ssize_t, start=Py_ssize_t, end=Py_ssize_t, f=Py_ssize_t, s=Py_ssize_t,
                   e=Py_ssize_t, k=Py_ssize_t, i=Py_ssize_t, within=Py_ssize_t, lead_within=Py_ssize_t, lo=Py_ssize_t, spans=dict, plan=tuple, latin=tuple,
                   scope=tuple, text=str, folded=list, texts=list, term_rules=tuple, anchored=tuple, detectors=set)
    cpdef list run(self, list candidates, Py_ssize_t shift=*, Py_ssize_t base=*)
    @cython.locals(a=Py_ssize_t, b=Py_ssize_t)
    cdef bint _position_ok(self, Py_ssize_t f, Py_ssize_t s, Py_ssize_t e, object term)
    @cython.locals(b=Py_ssize_t, text=str)
    cdef bint _led(self, Py_ssize_t f, Py_ssize_t s, object lead, Py_ssize_t within)
    @cython.locals(shift=Py_ssize_t, length=Py_ssize_t, at=Py_ssize_t)
    cdef bint _excluded(self, tuple groups, Py_ssize_t f, Py_ssize_t s, str text)
    @cython.locals(a=Py_ssize_t, b=Py_ssize_t)
    cdef bint _unbroken(self, Py_ssize_t f, Py_ssize_t s, Py_ssize_t length)
    cdef bint _unless(self, Py_ssize_t i, object unless, Py_ssize_t f)
    cdef bint _unless_in(self, Py_ssize_t i, object unless, Py_ssize_t g)
    @cython.locals(s=Py_ssize_t, e=Py_ssize_t, a=Py_ssize_t, b=Py_ssize_t, text=str, kept=list, out=list)
    cpdef list _term_matches(self, Py_ssize_t i, Py_ssize_t f, list found)
    @cython.locals(a=Py_ssize_t, b=Py_ssize_t, text=str, out=list)
    cpdef list _detector_matches(self, Py_ssize_t i)

@cython.locals(start=Py_ssize_t, lo=Py_ssize_t, hi=Py_ssize_t, i=Py_ssize_t, candidate=tuple,
               by_doc=dict, found=list)
cpdef dict _by_listing(list candidates, list ends, Py_ssize_t shift)
