def gzip_compress(data):
    return b"gz:" + data


def no_compress(data):
    return data


class Uploader:
    def __init__(self, compress=True):
        self.compressor = gzip_compress if compress else no_compress

    def upload(self, data):
        return self.compressor(data)


print(Uploader().upload(b"payload"))
print(Uploader(compress=False).upload(b"payload"))
