def import_view(request, model_admin):
    raise NotImplementedError
