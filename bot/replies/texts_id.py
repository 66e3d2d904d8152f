"""Every user-facing string in Indonesian: the complete catalogue and the fallback for any
key another language lacks. Placeholders are str.format fields; values are HTML-escaped by
the caller (bot/replies/render.py) before formatting. Look strings up with texts.text().
"""

from __future__ import annotations

from bot.replies.texts_id_moderators import MODERATORS

ID: dict[str, str] = {
    "start": (
        "👋 <b>Halo, ini CekKlaim.</b>\n\n"
        "Kirim atau teruskan (forward) klaim soal pemilu yang Anda lihat: teks, tautan, atau "
        "foto/video dengan keterangan. Saya cocokkan dengan <b>pernyataan resmi KPU dan "
        "Bawaslu</b> dan menunjukkan apa kata lembaga itu, lengkap dengan sumber dan "
        "tanggalnya.\n\n"
        "Saya <b>bukan</b> KPU atau Bawaslu dan tidak menilai klaim sendiri. Jika belum ada "
        "pernyataan resmi, saya akan bilang terus terang dan mencatatnya untuk moderator.\n\n"
        "Coba: <code>/cek pemilu 2024 diundur</code> · /bantuan · /bahasa"
    ),
    "help": (
        "<b>Cara memakai CekKlaim</b>\n\n"
        "• Kirim teks klaim, tempel tautan, atau teruskan pesan dari grup/kanal.\n"
        "• Foto atau video: yang dicek adalah keterangannya (caption). Pesan suara, video, "
        "atau dokumen tanpa tulisan saya catat untuk moderator.\n"
        "• Di grup: balas sebuah pesan dengan /cek.\n\n"
        "<b>Perintah</b>\n"
        "{commands}\n\n"
        "Jawaban selalu menyebut lembaga resmi, tanggal, dan tautan sumbernya."
    ),
    "about": (
        "<b>Tentang CekKlaim</b>\n\n"
        "<b>Apa yang saya lakukan.</b> Anda kirim kabar soal pemilu yang Anda terima. Saya "
        "cari apakah KPU, Bawaslu, atau Kementerian Komunikasi dan Digital sudah memberi "
        "penjelasan resmi tentang kabar itu, lalu saya tunjukkan isinya, tanggalnya, dan "
        "tautan sumbernya.\n\n"
        "<b>Dari mana jawabannya.</b> Hanya dari penjelasan resmi lembaga-lembaga itu, atau "
        "berita terpercaya yang mengutipnya, yang dipilih dan diperiksa moderator kami. Saat "
        "ini ada {count} penjelasan. Saya tidak menilai sendiri benar atau salahnya kabar.\n\n"
        "<b>Seberapa sering tepat.</b> {quality}\n\n"
        "Kabar yang belum ada penjelasannya saya catat untuk moderator. Tekan <i>Kabari "
        "saya</i> di bawah jawaban agar saya memberi tahu Anda bila penjelasan resmi terbit."
    ),
    "commands": (
        "/cek &lt;teks&gt; — cek sebuah klaim\n"
        "/bantuan — cara memakai\n"
        "/tentang — sumber dan cara kerja\n"
        "/bahasa — ganti bahasa\n"
        "/berhenti — hapus semua permintaan pemberitahuan Anda"
    ),
    "cmd_start": "Mulai",
    "cmd_cek": "Cek sebuah klaim",
    "cmd_bantuan": "Cara memakai",
    "cmd_tentang": "Sumber dan cara kerja",
    "cmd_bahasa": "Ganti bahasa",
    "cmd_berhenti": "Hapus permintaan pemberitahuan",
    "cek_usage": (
        "Tulis klaimnya setelah perintah, misalnya:\n<code>/cek pemilu 2024 diundur</code>"
    ),
    "howto": (
        "Maaf, saya hanya bisa membaca teks dan tulisan di gambar. Kirim klaimnya sebagai "
        "teks atau tangkapan layar, atau video dengan keterangan (caption). Contoh: "
        "<code>pemilu 2024 diundur</code>"
    ),
    "photo_read": "📷 Tulisan yang saya baca dari gambar:\n<i>«{excerpt}»</i>",
    "photo_known": "📷 Gambar ini sudah dikenal moderator kami.",
    "photo_unreadable": (
        "Maaf, saya tidak bisa membaca tulisan di gambar ini. Ketik atau salin kabarnya "
        "sebagai teks, lalu kirim ke saya. Contoh: <code>pemilu 2024 diundur</code>"
    ),
    "photo_busy": (
        "Maaf, banyak gambar sedang saya baca. Kirim lagi gambarnya sebentar lagi, atau "
        "ketik kabarnya sebagai teks. Contoh: <code>pemilu 2024 diundur</code>"
    ),
    "talk_greeting": (
        "Halo 👋 Silakan kirim atau teruskan kabar soal pemilu yang ingin Anda cek. Saya "
        "carikan pernyataan resmi KPU atau Bawaslu tentang kabar itu."
    ),
    "talk_thanks": "Sama-sama 🙏 Kirim saja kabar lain yang ingin Anda cek, kapan pun.",
    "talk_ack": "👍 Siap. Kirim saja kabar lain yang ingin Anda cek, kapan pun.",
    "media_recorded": (
        "Saya belum bisa mendengar atau membuka berkas ini. Berkas Anda sudah <b>dicatat "
        "untuk moderator</b>, yang akan memeriksanya.\n\n"
        "Jika ada tulisan atau isi pesannya, kirimkan sebagai teks agar bisa langsung saya "
        "cek. Tekan <i>Kabari saya</i> agar saya memberi tahu Anda bila ada pernyataan resmi."
    ),
    "unknown_command": "Perintah itu tidak saya kenal. Lihat /bantuan.",
    "rate_limited": (
        "Pelan-pelan ya 🙏 Anda mengirim banyak pesan dalam semenit. Coba lagi sebentar lagi."
    ),
    # said only when the claim of this very update is in the database (handlers.on_error)
    "error_recorded": (
        "Maaf, terjadi kesalahan di pihak kami. Klaim Anda tetap tercatat; coba lagi nanti."
    ),
    "error": (
        "Maaf, terjadi kesalahan di pihak kami dan pesan Anda <b>belum tercatat</b>. "
        "Silakan kirim lagi beberapa saat lagi."
    ),
    "verdict_HOAKS": "🔴 HOAKS",
    "verdict_SALAH": "🔴 SALAH",
    "verdict_DISINFORMASI": "🔴 DISINFORMASI",
    "verdict_MISINFORMASI": "🟠 MISINFORMASI",
    "verdict_MENYESATKAN": "🟠 MENYESATKAN",
    "verdict_KLARIFIKASI": "🔵 KLARIFIKASI",
    "verdict_BENAR": "🟢 BENAR",
    "card_claim": "Klaim yang beredar",
    "card_official": "Pernyataan resmi {org}",
    "card_source": "Sumber",
    "card_polarity": (
        "ℹ️ Pesan Anda tampaknya menyatakan hal yang berlawanan dengan klaim di atas. "
        "Berikut pernyataan resmi tentang topik ini."
    ),
    "card_superseded": "⚠️ Pernyataan ini sudah tidak berlaku (digantikan: {new}).",
    "card_retired": "⚠️ Pernyataan ini sudah diarsipkan dan tidak berlaku lagi.",
    "card_truncated": "… (selengkapnya di sumber)",
    "no_date": "tanpa tanggal",
    "btn_source": "🔗 Buka sumber",
    "btn_page": "🌐 Halaman web",
    "btn_helpful": "👍 Membantu",
    "btn_wrong": "👎 Bukan ini",
    "btn_none_of_these": "Tidak ada yang cocok",
    "btn_notify": "🔔 Kabari saya",
    "btn_whatsapp": "📤 WhatsApp",
    "share_official": "Penjelasan resmi {org}:",
    "possible": (
        "Saya <b>belum menemukan jawaban yang pasti</b>. Mungkin yang Anda maksud salah satu "
        "pernyataan resmi ini (di depannya: penilaian resmi atas klaim itu):\n\n{options}\n\n"
        "Pilih yang cocok untuk membaca penjelasannya. Jika tidak ada, tekan <i>Tidak ada yang "
        "cocok</i>, atau <i>Kabari saya</i> agar saya memberi tahu Anda bila ada pernyataan "
        "resmi."
    ),
    "none": (
        "Belum ada pernyataan resmi KPU atau Bawaslu yang membahas klaim ini. "
        "Klaim Anda sudah <b>dicatat untuk moderator</b>.\n\n"
        "Tekan <i>Kabari saya</i> agar saya memberi tahu Anda bila pernyataan resmi terbit. "
        "Sementara itu, berhati-hatilah menyebarkannya."
    ),
    "too_short": (
        "Teksnya terlalu pendek untuk dicek dengan yakin. Tulis klaimnya lebih lengkap, "
        "misalnya <code>pemilu 2024 diundur ke bulan juni</code>."
    ),
    "ack_helpful": "Terima kasih atas masukannya!",
    "ack_wrong": "Terima kasih. Klaim ini diteruskan ke moderator untuk ditinjau.",
    "ack_already": "Masukan Anda sudah tercatat.",
    "ack_notify": "Siap, saya akan mengabari Anda sekali saat ada pernyataan resmi.",
    "ack_notify_already": "Anda sudah terdaftar untuk pemberitahuan klaim ini.",
    "ack_none_of_these": "Baik. Klaim ini dicatat untuk moderator.",
    "ack_stale": "Tombol ini sudah tidak berlaku. Kirim ulang klaimnya.",
    "stopped": "Semua permintaan pemberitahuan Anda ({count}) sudah dihapus.",
    "language_prompt": "Pilih bahasa / Choose a language:",
    "language_set": "Bahasa diatur ke Bahasa Indonesia.",
    "statement_missing": "Pernyataan itu tidak ditemukan.",
    "quality": (
        "Diuji pada ribuan hoaks yang benar-benar beredar: kalau bot menjawab dengan yakin, "
        "jawabannya tepat 98 dari 100 kali. Kalau belum ada pernyataan resmi, bot "
        "mengatakannya terus terang."
    ),
    "statement_from_link": "Tautan ini adalah sumber sebuah pernyataan resmi:",
    **MODERATORS,
    # Group chats and inline mode.
    "group_intro": (
        "👋 <b>Halo, ini CekKlaim.</b> Saya mencocokkan klaim soal pemilu dengan "
        "<b>pernyataan resmi KPU dan Bawaslu</b>.\n\n"
        "Cara bertanya: <b>balas</b> sebuah pesan dengan /cek, atau sebut {mention} saat "
        "membalas. Bisa juga <code>/cek teks klaimnya</code>.\n"
        "Admin grup dapat mengatur pemeriksaan otomatis pesan terusan dengan /pengaturan."
    ),
    "group_usage": (
        "Balas pesan yang ingin dicek dengan /cek, atau tulis <code>/cek teks klaimnya</code>."
    ),
    "group_unreadable": "Pesan itu tidak berisi teks yang bisa saya cek.",
    "group_unsure": (
        "Belum ada pernyataan resmi yang pasti cocok dengan klaim ini. Sudah dicatat untuk "
        "moderator. Kirim klaimnya ke saya lewat chat pribadi untuk melihat kemungkinan "
        "jawabannya."
    ),
    "btn_check_private": "💬 Cek lewat chat pribadi",
    "group_none": (
        "Belum ada pernyataan resmi KPU atau Bawaslu tentang klaim ini. Sudah dicatat untuk "
        "moderator."
    ),
    "group_from_link": "Tautan ini adalah sumber pernyataan resmi:",
    "short_polarity": "ℹ️ Pesan ini tampaknya menyatakan kebalikan klaim di bawah.",
    "btn_full": "📄 Selengkapnya",
    "btn_share": "📤 Bagikan",
    "settings": (
        "<b>Pengaturan CekKlaim di grup ini</b>\n\n"
        "Cek otomatis pesan terusan: <b>{auto}</b>\n"
        "Kepekaan: <b>{sensitivity}</b>\n\n"
        "Dalam mode otomatis saya hanya menjawab pesan terusan yang <b>yakin</b> cocok dengan "
        "pernyataan resmi, dan diam bila tidak. Kepekaan <i>ketat</i> hanya menjawab kecocokan "
        "yang sangat kuat."
    ),
    "settings_need_access": (
        "\n\nℹ️ Agar bisa melihat pesan terusan, jadikan saya admin grup (tanpa izin "
        "tambahan apa pun)."
    ),
    "settings_on": "AKTIF",
    "settings_off": "MATI",
    "sensitivity_normal": "normal",
    "sensitivity_strict": "ketat",
    "btn_auto_on": "✅ Nyalakan cek otomatis",
    "btn_auto_off": "⏸ Matikan cek otomatis",
    "btn_sensitivity_normal": "Kepekaan: normal",
    "btn_sensitivity_strict": "Kepekaan: ketat",
    "settings_not_admin": "Maaf, pengaturan hanya dapat diubah oleh admin grup. 🙏",
    "settings_anonymous": (
        "Saya tidak dapat memastikan admin anonim. Nonaktifkan sebentar mode anonim, lalu "
        "kirim /pengaturan lagi."
    ),
    "settings_private": (
        "/pengaturan dipakai di grup: tambahkan saya ke grup, lalu kirim perintah itu di sana."
    ),
    "ack_settings_saved": "Tersimpan.",
    "ack_settings_not_admin": "Hanya admin grup yang dapat mengubah pengaturan.",
    "cmd_pengaturan": "Pengaturan grup (admin)",
    "inline_hint": "Ketik klaim yang ingin dicek…",
    "inline_no_match": "Belum ada pernyataan resmi yang cocok",
    "inline_missing": "Pernyataan itu tidak ditemukan",
    "inline_description": "{org} · {date}",
    # Official sources over HTTP: failed fetches, pre-filled drafts, the drafts queue, links.
    "fetch_bad_url": "tautannya tidak lengkap atau tidak valid",
    "fetch_scheme": "hanya tautan http(s) yang bisa dibuka",
    "fetch_dns": "nama situsnya tidak ditemukan",
    "fetch_blocked_address": ("alamat itu ada di jaringan internal dan tidak dibuka demi keamanan"),
    "fetch_too_many_redirects": "terlalu banyak pengalihan (redirect)",
    "fetch_timeout": "situsnya terlalu lama menjawab",
    "fetch_too_large": "halamannya terlalu besar (maks. 2 MB)",
    "fetch_content_type": "isinya bukan halaman web atau feed",
    "fetch_http_status": "situsnya menolak atau halamannya tidak ada",
    "fetch_network": "situsnya tidak bisa dihubungi",
    "fetch_encoding": "situsnya mengirim isi terkompresi yang rusak atau tidak didukung",
    "fetch_unreadable": "halamannya terlalu rumit untuk dibaca dalam batas waktu",
    "prefill_failed": (
        "⚠️ Halaman tidak bisa diambil: {reason}. Tidak apa-apa, lanjutkan dengan mengisi sendiri."
    ),
    "prefill_summary": (
        "📄 <b>Diambil dari {host}</b>\n"
        "Judul: {title}\nTanggal: {date}\nLembaga: {org}\n{official}\n\n"
        "<b>Teks utama</b> (cuplikan, untuk memilih klarifikasi):\n<i>{excerpt}</i>"
    ),
    "prefill_official": "✅ Domain resmi.",
    "prefill_unofficial": (
        "⚠️ {host} bukan domain resmi (OFFICIAL_DOMAINS). Pastikan sumbernya benar."
    ),
    "preview_unofficial": "⚠️ Sumber bukan domain resmi: {host}",
    "preview_edit_hint": (
        "Ubah sebelum menyimpan: kirim <code>kolom nilai</code>, misalnya "
        "<code>penjelasan teks baru</code>. Kolom: {fields}"
    ),
    "unknown_value": "(belum ada)",
    "cmd_draf": "Draf dari feed dan ClaimReview",
    "drafts_empty": "Tidak ada draf yang menunggu. Draf datang dari SOURCE_FEEDS dan "
    "<code>cekklaim import</code> ClaimReview.",
    "drafts_header": "<b>Draf menunggu moderator</b> ({count}):",
    "drafts_hint": "Tombol: ➕ mulai /tambah dari draf itu · 🗑 abaikan. Tidak ada yang "
    "terbit tanpa Simpan dari moderator.",
    "draft_gone": "Draf itu sudah tidak menunggu.",
    "draft_dismissed": "Draf {id} diabaikan.",
    "feeds_new": "🗞 {count} draf baru dari feed sumber resmi. Lihat /draf",
    "link_fetch_failed": "ℹ️ Tautan tidak bisa dibuka ({reason}); saya cocokkan teks yang ada.",
    "statement_from_seen_link": (
        "Tautan ini pernah ditanyakan, dan moderator atau pencocokan yakin menjawabnya "
        "dengan pernyataan resmi ini:"
    ),
    "statement_evidence": (
        "📄 Bukti sumber: diambil {at}, sha256 <code>{sha}…</code> "
        "(<code>cekklaim statement evidence ID</code> untuk teksnya)"
    ),
}
