"""services layer (see DESIGN.md): the use cases both adapters, bot/ and admin/, call."""
