"""Every user-facing string, one catalogue per language. Indonesian is complete and the
fallback; English mirrors it. Placeholders are str.format fields; values are HTML-escaped
by the caller (render.py) before formatting.
"""

from __future__ import annotations

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
        "• Foto atau video: yang dicek adalah keterangannya (caption).\n"
        "• Di grup: balas sebuah pesan dengan /cek.\n\n"
        "<b>Perintah</b>\n"
        "{commands}\n\n"
        "Jawaban selalu menyebut lembaga resmi, tanggal, dan tautan sumbernya."
    ),
    "about": (
        "<b>Tentang CekKlaim</b>\n\n"
        "Sumber: pernyataan resmi KPU dan Bawaslu (peraturan, keputusan, dan keterangan resmi "
        "yang dikutip media), dikurasi moderator. Saat ini ada {count} pernyataan aktif.\n\n"
        "Cara kerja: teks Anda dinormalkan (singkatan seperti yg/gak/tdk, huruf berulang, "
        "emoji), dicari kandidatnya dengan BM25, lalu diurutkan ulang dengan pencocokan "
        "fuzzy. Jawaban <b>yakin</b> hanya diberikan bila klaim resmi hampir seluruhnya "
        "ada di teks Anda; selain itu saya menawarkan kandidat atau bilang belum ada.\n\n"
        "Kualitas terukur (data uji cek fakta berbahasa Indonesia): {quality}"
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
        "Maaf, saya hanya bisa membaca teks. Kirim klaimnya sebagai teks, atau foto/video "
        "dengan keterangan (caption). Contoh: <code>pemilu 2024 diundur</code>"
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
    "btn_helpful": "👍 Membantu",
    "btn_wrong": "👎 Bukan ini",
    "btn_none_of_these": "Bukan ini",
    "btn_notify": "🔔 Kabari saya",
    "possible": (
        "Saya belum yakin. <b>Apakah maksud Anda salah satu ini?</b>\n\n{options}\n\n"
        "Pilih salah satu, atau tekan <i>Bukan ini</i>."
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
}

EN: dict[str, str] = {
    "start": (
        "👋 <b>Hi, this is CekKlaim.</b>\n\n"
        "Send or forward an election claim you saw: text, a link, or a photo/video with a "
        "caption. I match it with <b>official statements by KPU and Bawaslu</b> and show what "
        "the body said, with its source and date.\n\n"
        "I am <b>not</b> KPU or Bawaslu and do not judge claims myself. If there is no official "
        "statement yet, I say so and record it for the moderators.\n\n"
        "Try: <code>/cek pemilu 2024 diundur</code> · /bantuan · /bahasa"
    ),
    "help": (
        "<b>How to use CekKlaim</b>\n\n"
        "• Send a claim, paste a link, or forward a post from a group or channel.\n"
        "• Photos and videos: the caption is checked.\n"
        "• In groups: reply /cek to a message.\n\n"
        "<b>Commands</b>\n"
        "{commands}\n\n"
        "Answers always name the official body, the date and the source link."
    ),
    "about": (
        "<b>About CekKlaim</b>\n\n"
        "Sources: official statements by KPU and Bawaslu (regulations, decisions and official "
        "remarks quoted by the press), curated by moderators. {count} statements are active.\n\n"
        "How it works: your text is normalized (abbreviations like yg/gak/tdk, repeated "
        "letters, emoji), candidates are found with BM25 and re-ranked with fuzzy matching. "
        "A <b>confident</b> answer is given only when the official claim is almost entirely in "
        "your text; otherwise I offer candidates or say there is none yet.\n\n"
        "Measured quality (Indonesian fact-check test data): {quality}"
    ),
    "commands": (
        "/cek &lt;text&gt; — check a claim\n"
        "/bantuan — how to use\n"
        "/tentang — sources and how it works\n"
        "/bahasa — change language\n"
        "/berhenti — delete all your notification requests"
    ),
    "cmd_start": "Start",
    "cmd_cek": "Check a claim",
    "cmd_bantuan": "How to use",
    "cmd_tentang": "Sources and how it works",
    "cmd_bahasa": "Change language",
    "cmd_berhenti": "Delete notification requests",
    "cek_usage": "Write the claim after the command, e.g.:\n<code>/cek pemilu 2024 diundur</code>",
    "howto": (
        "Sorry, I can only read text. Send the claim as text, or a photo/video with a caption. "
        "Example: <code>pemilu 2024 diundur</code>"
    ),
    "unknown_command": "I don't know that command. See /bantuan.",
    "rate_limited": "Slow down a little 🙏 You sent many messages this minute. Try again soon.",
    "error_recorded": (
        "Sorry, something went wrong on our side. Your claim is recorded; try again later."
    ),
    "error": (
        "Sorry, something went wrong on our side and your message was <b>not recorded</b>. "
        "Please send it again in a little while."
    ),
    "verdict_HOAKS": "🔴 HOAX",
    "verdict_SALAH": "🔴 FALSE",
    "verdict_DISINFORMASI": "🔴 DISINFORMATION",
    "verdict_MISINFORMASI": "🟠 MISINFORMATION",
    "verdict_MENYESATKAN": "🟠 MISLEADING",
    "verdict_KLARIFIKASI": "🔵 CLARIFICATION",
    "verdict_BENAR": "🟢 TRUE",
    "card_claim": "Circulating claim",
    "card_official": "Official statement by {org}",
    "card_source": "Source",
    "card_polarity": (
        "ℹ️ Your message seems to say the opposite of the claim above. Here is the official "
        "statement on this topic."
    ),
    "card_superseded": "⚠️ This statement is no longer current (superseded by: {new}).",
    "card_retired": "⚠️ This statement was archived and is no longer current.",
    "card_truncated": "… (more at the source)",
    "no_date": "undated",
    "btn_source": "🔗 Open source",
    "btn_helpful": "👍 Helpful",
    "btn_wrong": "👎 Not this",
    "btn_none_of_these": "None of these",
    "btn_notify": "🔔 Notify me",
    "possible": (
        "I am not sure yet. <b>Did you mean one of these?</b>\n\n{options}\n\n"
        "Pick one, or press <i>None of these</i>."
    ),
    "none": (
        "No official KPU or Bawaslu statement covers this claim yet. Your claim was "
        "<b>recorded for the moderators</b>.\n\n"
        "Press <i>Notify me</i> and I will tell you once an official statement is out. "
        "Meanwhile, be careful about sharing it."
    ),
    "too_short": (
        "The text is too short to check with confidence. Write the claim more fully, e.g. "
        "<code>pemilu 2024 diundur ke bulan juni</code>."
    ),
    "ack_helpful": "Thanks for the feedback!",
    "ack_wrong": "Thanks. This claim was passed to the moderators for review.",
    "ack_already": "Your feedback is already recorded.",
    "ack_notify": "Done, I will notify you once when there is an official statement.",
    "ack_notify_already": "You are already signed up for this claim.",
    "ack_none_of_these": "OK. This claim was recorded for the moderators.",
    "ack_stale": "This button has expired. Please send the claim again.",
    "stopped": "All your notification requests ({count}) were deleted.",
    "language_prompt": "Pilih bahasa / Choose a language:",
    "language_set": "Language set to English.",
    "statement_missing": "That statement was not found.",
    "quality": (
        "Tested on thousands of hoaxes that really circulated: when the bot answers with "
        "confidence, it is right 98 times in 100. When there is no official statement yet, "
        "it says so plainly."
    ),
    "statement_from_link": "This link is the source of an official statement:",
}

# Moderators' strings. Moderators work in Indonesian; English falls back to these.
ID.update(
    {
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
            "/antrean — klaim tanpa jawaban, dikelompokkan\n"
            "/tautkan KUNCI ID — jawab satu kelompok dengan pernyataan\n"
            "/statistik — angka hari ini dan 7 hari\n"
            "/tambahmod ID · /hapusmod ID — kelola moderator (admin)\n"
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
        "cmd_antrean": "Antrean klaim",
        "cmd_tautkan": "Jawab satu kelompok klaim",
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
            "Variasi kalimat lain yang beredar, pisahkan dengan titik koma (;). "
            "Kirim - untuk melewati."
        ),
        "draft_error": "⚠️ {error}\nCoba lagi, atau /batal.",
        "preview": "<b>Pratinjau: begini warga akan melihatnya.</b>",
        "btn_save": "✅ Simpan",
        "btn_cancel": "✖️ Batal",
        "saved": (
            "Tersimpan sebagai <code>{id}</code>. Indeks diperbarui; {notified} warga diberi tahu."
        ),
        "cancelled": "Dibatalkan. Tidak ada yang disimpan.",
        "nothing_to_cancel": "Tidak ada yang sedang berjalan.",
        "usage_lihat": "Pakai: /lihat ID",
        "usage_cari": "Pakai: /cari teks klaim",
        "usage_ubah": "Pakai: /ubah ID kolom nilai\nKolom: {fields}",
        "usage_arsip": "Pakai: /arsip ID",
        "usage_ganti": "Pakai: /ganti ID_LAMA ID_BARU",
        "usage_riwayat": "Pakai: /riwayat ID",
        "usage_tautkan": "Pakai: /tautkan KUNCI ID (kunci dari /antrean, misalnya c12)",
        "usage_mod": "Pakai: /tambahmod ID atau /hapusmod ID (ID pengguna Telegram, angka)",
        "unknown_statement": "Pernyataan <code>{id}</code> tidak ditemukan.",
        "statement_meta": (
            "<b>{id}</b> · status {status}{superseded} · {variants} variasi\n"
            "dibuat {created} oleh {by}"
        ),
        "search_header": "Untuk teks ini warga akan mendapat: <b>{tier}</b>",
        "edit_preview": "<b>Pratinjau perubahan kolom {field}.</b>",
        "edit_saved": "Perubahan disimpan ({id}). {notified} warga diberi tahu.",
        "edit_unchanged": "Tidak ada perubahan.",
        "retired": "Pernyataan <code>{id}</code> diarsipkan dan tidak disajikan lagi.",
        "superseded": "<code>{old}</code> kini digantikan oleh <code>{new}</code>.",
        "history_empty": "Belum ada catatan perubahan untuk <code>{id}</code>.",
        "queue_hint": "Tombol: ➕ buat pernyataan dari kelompok itu · 🗑 abaikan. "
        "Untuk menautkan ke pernyataan yang ada: /tautkan KUNCI ID",
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
)

EN.update(
    {
        "notify_header": "🔔 There is an official statement on the claim you asked about:",
        "mod_refused": "Sorry, this command is for CekKlaim moderators only.",
        "admin_refused": "Sorry, this command is for CekKlaim admins only.",
    }
)

# Group chats and inline mode.
ID.update(
    {
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
        "group_possible": (
            "Saya belum yakin. Mungkin yang dimaksud salah satu pernyataan ini:\n{options}\n"
            "Buka untuk penjelasan lengkap di chat pribadi."
        ),
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
    }
)
EN.update(
    {
        "group_intro": (
            "👋 <b>Hi, this is CekKlaim.</b> I match election claims with <b>official statements "
            "by KPU and Bawaslu</b>.\n\n"
            "How to ask: <b>reply</b> /cek to a message, or mention {mention} in a reply. "
            "<code>/cek the claim text</code> works too.\n"
            "Group admins can set up automatic checking of forwarded posts with /pengaturan."
        ),
        "group_usage": "Reply /cek to the message to check, or write <code>/cek the claim</code>.",
        "group_unreadable": "That message has no text I can check.",
        "group_possible": (
            "I am not sure yet. Maybe one of these statements is meant:\n{options}\n"
            "Open one for the full explanation in a private chat."
        ),
        "group_none": (
            "No official KPU or Bawaslu statement covers this claim yet. It was recorded for the "
            "moderators."
        ),
        "group_from_link": "This link is the source of an official statement:",
        "short_polarity": "ℹ️ This message seems to say the opposite of the claim below.",
        "btn_full": "📄 Read more",
        "btn_share": "📤 Share",
        "settings": (
            "<b>CekKlaim settings for this group</b>\n\n"
            "Automatic check of forwarded posts: <b>{auto}</b>\n"
            "Sensitivity: <b>{sensitivity}</b>\n\n"
            "In automatic mode I only answer forwarded posts that <b>confidently</b> match an "
            "official statement, and stay quiet otherwise. <i>Strict</i> sensitivity answers only "
            "very strong matches."
        ),
        "settings_need_access": (
            "\n\nℹ️ To see forwarded posts, make me a group admin (no extra permissions needed)."
        ),
        "settings_on": "ON",
        "settings_off": "OFF",
        "sensitivity_normal": "normal",
        "sensitivity_strict": "strict",
        "btn_auto_on": "✅ Turn automatic check on",
        "btn_auto_off": "⏸ Turn automatic check off",
        "btn_sensitivity_normal": "Sensitivity: normal",
        "btn_sensitivity_strict": "Sensitivity: strict",
        "settings_not_admin": "Sorry, only group admins can change the settings. 🙏",
        "settings_anonymous": (
            "I cannot verify anonymous admins. Turn anonymity off for a moment, then send "
            "/pengaturan again."
        ),
        "settings_private": "/pengaturan is for groups: add me to a group and send it there.",
        "ack_settings_saved": "Saved.",
        "ack_settings_not_admin": "Only group admins can change the settings.",
        "cmd_pengaturan": "Group settings (admins)",
        "inline_hint": "Type the claim to check…",
        "inline_no_match": "No matching official statement yet",
        "inline_missing": "That statement was not found",
        "inline_description": "{org} · {date}",
    }
)

# Official sources over HTTP: failed fetches, pre-filled drafts, the drafts queue, links.
ID.update(
    {
        "fetch_bad_url": "tautannya tidak lengkap atau tidak valid",
        "fetch_scheme": "hanya tautan http(s) yang bisa dibuka",
        "fetch_dns": "nama situsnya tidak ditemukan",
        "fetch_blocked_address": (
            "alamat itu ada di jaringan internal dan tidak dibuka demi keamanan"
        ),
        "fetch_too_many_redirects": "terlalu banyak pengalihan (redirect)",
        "fetch_timeout": "situsnya terlalu lama menjawab",
        "fetch_too_large": "halamannya terlalu besar (maks. 2 MB)",
        "fetch_content_type": "isinya bukan halaman web atau feed",
        "fetch_http_status": "situsnya menolak atau halamannya tidak ada",
        "fetch_network": "situsnya tidak bisa dihubungi",
        "fetch_encoding": "situsnya mengirim isi terkompresi yang rusak atau tidak didukung",
        "fetch_unreadable": "halamannya terlalu rumit untuk dibaca dalam batas waktu",
        "prefill_failed": (
            "⚠️ Halaman tidak bisa diambil: {reason}. Tidak apa-apa, lanjutkan dengan mengisi "
            "sendiri."
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
            "<code>clarification teks baru</code>. Kolom: {fields}"
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
)

EN.update(
    {
        "fetch_bad_url": "the link is incomplete or invalid",
        "fetch_scheme": "only http(s) links can be opened",
        "fetch_dns": "the site name was not found",
        "fetch_blocked_address": "that address is on an internal network and is not opened",
        "fetch_too_many_redirects": "too many redirects",
        "fetch_timeout": "the site took too long to answer",
        "fetch_too_large": "the page is too large (max. 2 MB)",
        "fetch_content_type": "it is not a web page or a feed",
        "fetch_http_status": "the site refused or the page does not exist",
        "fetch_network": "the site could not be reached",
        "fetch_encoding": "the site sent compressed content that is broken or not supported",
        "fetch_unreadable": "the page is too complex to read within the time limit",
        "link_fetch_failed": (
            "ℹ️ The link could not be opened ({reason}); I matched the text there is."
        ),
        "statement_from_seen_link": (
            "This link was asked about before and answered with this official statement:"
        ),
    }
)

CATALOGUES: dict[str, dict[str, str]] = {"id": ID, "en": EN}
DEFAULT_LANGUAGE = "id"

MONTHS = {
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November "
    "Desember".split(),
    "en": "January February March April May June July August September October November "
    "December".split(),
}


def text(language: str, key: str, **values: object) -> str:
    """The string for `key` in `language`, Indonesian when missing there."""
    catalogue = CATALOGUES.get(language, ID)
    template = catalogue.get(key, ID[key])
    return template.format(**values) if values else template
