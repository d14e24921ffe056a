print("tlab")
