#!/usr/bin/python3
"""Writes the golden .npy files that NpyFormatTest reads, with real numpy as the reference writer.

Run with Debian's python (apt-get install python3-numpy) from this directory:
    /usr/bin/python3 make_npy.py
The values are exact in float32 (multiples of 1/8), so the Java reader must match them bit for bit.
"""
import numpy as np

rows, cols = 3, 5
values = (np.arange(rows * cols, dtype=np.float64).reshape(rows, cols) - 7) / 8.0

np.save("f4_3x5.npy", values.astype("<f4"))
np.save("f8_3x5.npy", values.astype("<f8"))
# Fortran (column-major) order: the reader must refuse it rather than transpose silently.
np.save("f4_3x5_fortran.npy", np.asfortranarray(values.astype("<f4")))
# Formats 2.0 (4-byte header length, for very long headers) and 3.0 (UTF-8 header) are what numpy
# writes when 1.0 cannot hold the header; force them here.
for major in (2, 3):
    with open(f"f4_3x5_v{major}.npy", "wb") as f:
        np.lib.format.write_array(f, values.astype("<f4"), version=(major, 0))
# A dtype the reader does not take: int32.
np.save("i4_3x5.npy", np.arange(rows * cols, dtype="<i4").reshape(rows, cols))
