from app.api.upload import handle_upload

print(handle_upload({}, "notes", "hello"))
