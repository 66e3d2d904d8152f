"""Images citizens send: text read from them (ocr.py, worker.py)."""
