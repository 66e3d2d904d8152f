"""`context.user_data` keys that more than one handler module reads."""

MODERATOR_DRAFT = "draft"  # a /tambah in progress (citizen handlers leave its answers alone)
MODERATOR_EDIT = "edit"  # an /ubah waiting for ✅
