"""The ``pdbulk`` command line, above both layers: it depends on the engine (``bulk``)
and the job kinds (``jobs``); neither of them imports it."""
