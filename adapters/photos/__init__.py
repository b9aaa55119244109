"""Photo adapters: byte stores (local disk, S3) and the Pillow/exifread inspector."""
