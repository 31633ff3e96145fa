from ..core.limits import check_size
from ..storage import files


def handle_upload(store, name, text):
    check_size(text)
    return files.write_text(store, name, text)
