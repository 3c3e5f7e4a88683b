"""The public view's server: Streamlit's ASGI app, refusing every upload.

`carers-impact serve --public` runs `streamlit run dashboard/public_server.py`
(with `server.maxUploadSize` 0 as well). The public view has no upload widget,
but Streamlit's upload route would take files for any open session; here it
answers 403 before a byte of the body is read.
"""

import streamlit as st
from starlette.middleware import Middleware

from dashboard.middleware import RefuseUploads

app = st.App("public_app.py", middleware=[Middleware(RefuseUploads)])
