"""The moderators' strings, in Indonesian only: moderators work in Indonesian, and English
falls back to these (bot/replies/texts.py). Part of the one Indonesian catalogue,
bot/replies/texts_id.py, which takes them in; kept apart so each file stays readable.
"""

from __future__ import annotations

MODERATORS: dict[str, str] = {
    "mod_refused": "Maaf, perintah ini hanya untuk moderator CekKlaim.",
    "admin_refused": "Maaf, perintah ini hanya untuk admin CekKlaim.",
    "mod_commands": (
        "<b>Perintah moderator</b>\n"
        "/tambah — tambah pernyataan resmi (dipandu, atau satu pesan)\n"
        "/batal — batalkan /tambah atau /ubah\n"
        "/lihat ID — lihat pernyataan\n"
        "/cari teks — apa yang akan diterima warga untuk teks ini\n"
        "/ubah ID kolom nilai — ubah satu kolom (dengan pratinjau)\n"
        "/arsip ID — arsipkan pernyataan\n"
        "/ganti ID_LAMA ID_BARU — pernyataan baru menggantikan yang lama\n"
        "/riwayat ID — catatan perubahan\n"
        "/gambar ID — (balas foto) lampirkan gambar yang beredar · /hapusgambar ID NOMOR\n"
        "/antrean — klaim tanpa jawaban, dikelompokkan\n"
        "/tautkan KUNCI ID — jawab satu kelompok dengan pernyataan\n"
        "/fotoklaim NOMOR — gambar asal sebuah klaim (nomor dari /antrean)\n"
        "/statistik — angka hari ini dan 7 hari\n"
        "/tambahmod ID · /hapusmod ID — kelola moderator (admin); tanpa ID: balas pesan "
        "terusan dari orang itu\n"
        "/tambah URL — draf dari halaman resmi · /draf — draf dari feed dan ClaimReview"
    ),
    "cmd_tambah": "Tambah pernyataan resmi",
    "cmd_batal": "Batalkan langkah ini",
    "cmd_lihat": "Lihat pernyataan",
    "cmd_cari": "Uji teks seperti warga",
    "cmd_ubah": "Ubah satu kolom",
    "cmd_arsip": "Arsipkan pernyataan",
    "cmd_ganti": "Ganti pernyataan lama",
    "cmd_riwayat": "Riwayat perubahan",
    "cmd_gambar": "Lampirkan gambar ke pernyataan",
    "cmd_hapusgambar": "Lepas gambar dari pernyataan",
    "cmd_antrean": "Antrean klaim",
    "cmd_tautkan": "Jawab satu kelompok klaim",
    "cmd_fotoklaim": "Lihat gambar sebuah klaim",
    "cmd_statistik": "Statistik",
    "cmd_tambahmod": "Tambah moderator (admin)",
    "cmd_hapusmod": "Hapus moderator (admin)",
    "ask_org": "Lembaga yang menerbitkan? (misalnya KPU atau Bawaslu) · /batal untuk keluar",
    "ask_verdict": "Labelnya? Pilih tombol atau ketik: HOAKS, SALAH, MENYESATKAN, ...",
    "ask_claim": "Tulis klaim seperti yang beredar di masyarakat:",
    "ask_clarification": "Tulis klarifikasi resmi lembaga (maks. 3000 karakter):",
    "ask_source_url": "Tautan sumber resmi (https://...):",
    "ask_published_at": "Tanggal pernyataan (misalnya 2024-02-14 atau 14 Februari 2024):",
    "ask_variants": (
        "Variasi kalimat lain yang beredar, pisahkan dengan titik koma (;). Kirim - untuk melewati."
    ),
    "ask_prefilled": (
        "{question}\n\n📝 <b>Sudah terisi:</b>\n<i>{value}</i>\n\n"
        "Tekan <b>✔️ Pakai ini</b>, atau ketik penggantinya."
    ),
    "btn_keep": "✔️ Pakai ini",
    "draft_error": "⚠️ {error}\nCoba lagi, atau /batal.",
    "preview": "<b>Pratinjau: begini warga akan melihatnya.</b>",
    "btn_save": "✅ Simpan",
    "btn_cancel": "✖️ Batal",
    "saved": (
        "Tersimpan sebagai <code>{id}</code>. Indeks diperbarui; {notified} warga diberi tahu."
    ),
    "saved_cluster": "Kelompok {cluster} terjawab dan keluar dari antrean.",
    "cancelled": "Dibatalkan. Tidak ada yang disimpan.",
    "nothing_to_cancel": "Tidak ada yang sedang berjalan.",
    "usage_lihat": "Pakai: /lihat ID",
    "usage_cari": "Pakai: /cari teks klaim",
    "usage_ubah": "Pakai: /ubah ID kolom nilai\nKolom: {fields}",
    "usage_arsip": "Pakai: /arsip ID",
    "usage_ganti": "Pakai: /ganti ID_LAMA ID_BARU",
    "usage_riwayat": "Pakai: /riwayat ID",
    "usage_gambar": "Pakai: balas foto dengan /gambar ID. /gambar ID saja: daftar gambarnya.",
    "usage_hapusgambar": "Pakai: /hapusgambar ID NOMOR (nomor dari /gambar ID)",
    "image_attached": "🖼 Gambar {number} dilampirkan ke <code>{id}</code>. Salinan gambar ini "
    "(diperkecil, dipotong sedikit, tangkapan layar) kini dijawab dengan pernyataan ini.",
    "image_already": "Gambar ini sudah terlampir di <code>{id}</code> (gambar {number}).",
    "image_unreadable": "Gambar ini tidak bisa dibaca ({error}). Kirim sebagai foto biasa.",
    "image_too_large": "Gambar terlalu besar (maks. {mb} MB).",
    "image_download_failed": "Gambar tidak bisa diambil dari Telegram. Coba lagi sebentar.",
    "image_list": "<b>Gambar <code>{id}</code></b>\n{lines}\n\nLepas: /hapusgambar {id} NOMOR",
    "image_list_line": "{number}. ditambahkan {at} oleh {by}",
    "image_list_empty": "Belum ada gambar untuk <code>{id}</code>. Balas foto dengan /gambar {id}.",
    "image_removed": "Gambar {number} dilepas dari <code>{id}</code>.",
    "image_not_found": "Pernyataan <code>{id}</code> tidak punya gambar nomor {number}.",
    "picture_noted": "🖼 Gambar dicatat ({count}): ikut tersimpan saat pernyataan disimpan (✅).",
    "picture_noted_already": "Gambar ini sudah dicatat untuk pernyataan ini.",
    "picture_noted_full": "Sudah {count} gambar: lampirkan yang lain nanti dengan /gambar ID.",
    "usage_tautkan": "Pakai: /tautkan KUNCI ID (kunci dari /antrean, misalnya c12)",
    "usage_fotoklaim": "Pakai: /fotoklaim NOMOR (nomor klaim dari /antrean, misalnya 12)",
    "image_missing": "Klaim {claim} tidak dibaca dari gambar.",
    "image_caption": "Klaim {claim}, teks terbaca: <i>{read}</i>",
    "usage_mod": (
        "Pakai: /tambahmod ID atau /hapusmod ID (ID pengguna Telegram, angka).\n"
        "Tanpa ID: teruskan ke saya satu pesan dari orang itu, lalu balas pesan terusan itu "
        "dengan /tambahmod (atau /hapusmod)."
    ),
    "mod_hidden": (
        "Pengirim pesan itu menyembunyikan akunnya saat pesannya diteruskan (pengaturan "
        "privasi Telegram), jadi ID-nya tidak terlihat. Minta ia mengirim ID Telegram-nya, "
        "lalu /tambahmod ID."
    ),
    "unknown_statement": "Pernyataan <code>{id}</code> tidak ditemukan.",
    "statement_meta": (
        "<b>{id}</b> · status {status}{superseded} · {variants} variasi\ndibuat {created} oleh {by}"
    ),
    "search_header": "Untuk teks ini warga akan mendapat: <b>{tier}</b>",
    "tier_confident": "jawaban yakin (satu kartu)",
    "tier_possible": "mungkin (daftar pilihan)",
    "tier_none": "tidak ada (belum ada pernyataan)",
    "search_scores": "skor · cakupan · kemiripan",
    "status_active": "aktif",
    "status_retired": "diarsipkan",
    "edit_preview": "<b>Pratinjau perubahan kolom {field}.</b>",
    "edit_saved": "Perubahan disimpan ({id}). {notified} warga diberi tahu.",
    "edit_unchanged": "Tidak ada perubahan.",
    "retired": "Pernyataan <code>{id}</code> diarsipkan dan tidak disajikan lagi.",
    "superseded": "<code>{old}</code> kini digantikan oleh <code>{new}</code>.",
    "superseded_told": " {count} warga diberi tahu.",  # after "superseded", if any were told
    "history_empty": "Belum ada catatan perubahan untuk <code>{id}</code>.",
    "queue_hint": "➕ buat pernyataan · 🗑 abaikan\nSudah ada pernyataannya? /tautkan KUNCI ID",
    "queue_empty": "Antrean kosong: setiap klaim sudah dijawab atau diabaikan.",
    "queue_header": "<b>Klaim tanpa jawaban</b> ({count} kelompok, paling sering dulu)",
    "queue_line": "<b>{rank}.</b> <code>{cluster}</code> · {count}× · terakhir {last}",
    "queue_size": "{size} klaim mirip",
    "queue_image": "📷 dari gambar (lihat: /fotoklaim {claim}), teks terbaca: <i>{read}</i>",
    "ago_now": "baru saja",
    "ago_minutes": "{n} menit lalu",
    "ago_hours": "{n} jam lalu",
    "ago_days": "{n} hari lalu",
    "stats_header": "<b>Statistik CekKlaim</b>\n{when}",
    "stats_today": "<b>Hari ini</b>: {asked} pertanyaan · {distinct} klaim berbeda",
    "stats_week": "<b>7 hari</b>: {asked} pertanyaan · {distinct} klaim berbeda",
    "stats_tiers": "yakin {confident}\nmungkin {possible}\ntidak ada {none}",
    "stats_feedback": "membantu {helpful} · salah {wrong} · disisihkan {set_aside}",
    "stats_helpful": "Dinilai membantu (7 hari): {percent}%",
    "stats_open": "Antrean: {count} klaim terbuka",
    "stats_top_claims": "<b>Paling sering ditanya</b> (7 hari)",
    "stats_top_statements": "<b>Pernyataan paling sering disajikan</b> (7 hari)",
    "claim_status_open": "menunggu",
    "claim_status_answered": "dijawab",
    "claim_status_dismissed": "diabaikan",
    "queue_dismissed": "Kelompok {cluster} diabaikan ({count} klaim).",
    "queue_gone": "Kelompok itu sudah tidak ada di antrean.",
    "linked": "{count} klaim kelompok {cluster} dijawab oleh <code>{id}</code>; "
    "{variants} variasi baru. {notified} warga diberi tahu.",
    "failed": "Gagal: {error}",
    "mod_added": "Moderator {id} ditambahkan.",
    "mod_exists": "{id} sudah moderator.",
    "mod_removed": "Moderator {id} dihapus.",
    "mod_not_found": "{id} bukan moderator tambahan (admin diatur lewat MODERATOR_IDS).",
    "notify_header": "🔔 Ada pernyataan resmi untuk klaim yang Anda tanyakan:",
    "alert": "📈 Klaim ini cepat menyebar ({count} pertanyaan dalam {minutes} menit), "
    "belum ada jawaban. Kunci {cluster}:\n<i>{example}</i>",
    "error_note": "⚠️ CekKlaim error: {name}",
}
