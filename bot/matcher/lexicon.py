"""Word tables for informal Indonesian: slang, abbreviations, election vocabulary, stopwords.

Kept as plain data so moderators' feedback can extend them without touching the algorithm.
Mappings go to the standard form; a value may hold several words ("pemungutan suara").
"""

from __future__ import annotations

# Chat abbreviations and slang -> standard Indonesian.
SLANG: dict[str, str] = {
    # negation
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "ngga": "tidak", "nggak": "tidak",
    "nggk": "tidak", "engga": "tidak", "enggak": "tidak", "tdk": "tidak", "tak": "tidak",
    "kagak": "tidak", "ndak": "tidak", "gag": "tidak", "ora": "tidak",
    "blm": "belum", "blum": "belum", "bkn": "bukan", "bukn": "bukan",
    # function words
    "yg": "yang", "yng": "yang", "dgn": "dengan", "dg": "dengan", "krn": "karena",
    "karna": "karena", "krna": "karena", "utk": "untuk", "untk": "untuk", "tuk": "untuk",
    "dr": "dari", "dri": "dari", "pd": "pada", "sm": "sama", "sma": "sama", "jg": "juga",
    "jga": "juga", "aja": "saja", "aj": "saja", "ajah": "saja", "doang": "saja",
    "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah", "uda": "sudah",
    "lg": "lagi", "lgi": "lagi", "bs": "bisa", "bsa": "bisa", "tp": "tapi", "tpi": "tapi",
    "kl": "kalau", "klo": "kalau", "kalo": "kalau", "kalu": "kalau", "jd": "jadi",
    "jdi": "jadi", "sy": "saya", "gw": "saya", "gue": "saya", "gua": "saya", "aku": "saya",
    "sj": "saja", "dlm": "dalam", "tsb": "tersebut", "sbg": "sebagai", "spt": "seperti",
    "kyk": "seperti", "kayak": "seperti", "kaya": "seperti", "skrg": "sekarang",
    "skrng": "sekarang", "skg": "sekarang", "bgt": "banget", "bngt": "banget", "org": "orang",
    "orng": "orang", "emg": "memang", "emang": "memang", "mmg": "memang", "hrs": "harus",
    "msh": "masih", "masi": "masih", "sblm": "sebelum", "stlh": "setelah", "stelah": "setelah",
    "trs": "terus", "trus": "terus", "bnyk": "banyak", "byk": "banyak", "pdhl": "padahal",
    "gmn": "bagaimana", "gimana": "bagaimana", "knp": "kenapa", "napa": "kenapa",
    "dpt": "dapat", "sampe": "sampai", "smp": "sampai", "td": "tadi", "ntar": "nanti",
    "nnti": "nanti", "ato": "atau", "atw": "atau", "ama": "sama", "bener": "benar",
    "bner": "benar", "beneran": "benar", "bnr": "benar",
    "pengen": "ingin", "pgn": "ingin", "pingin": "ingin", "liat": "lihat", "ngeliat": "lihat",
    "denger": "dengar", "tau": "tahu", "tw": "tahu", "cuma": "hanya", "cuman": "hanya",
    "cm": "hanya", "kasi": "kasih", "ksh": "kasih", "mksd": "maksud", "brp": "berapa",
    "sgt": "sangat", "bbrp": "beberapa", "smua": "semua", "smuanya": "semuanya",
    "pake": "pakai", "pk": "pakai", "bikin": "buat", "dibikin": "dibuat", "nyebar": "sebar",
    "disebar": "sebar", "gaes": "", "guys": "", "wkwk": "", "wkwkwk": "", "hehe": "",
    "haha": "", "dong": "", "deh": "", "sih": "", "nih": "", "tuh": "", "lho": "",
    "loh": "", "kok": "", "yah": "", "ya": "", "yaa": "", "kan": "", "mah": "", "pun": "",
    "hoax": "hoaks", "hoaxs": "hoaks", "hox": "hoaks", "boong": "bohong", "bhong": "bohong",
    "prov": "provinsi", "kab": "kabupaten", "pemda": "pemerintah daerah",
    "pemkot": "pemerintah kota", "pemkab": "pemerintah kabupaten", "presden": "presiden",
    "presdien": "presiden", "polri": "polisi", "pak": "", "bu": "", "bpk": "",
    "ibu": "", "bapak": "",
}

# Election vocabulary: informal or inflected forms -> one canonical token, so that
# "nyoblos", "dicoblos" and "pencoblosan" meet in the index.
ELECTION: dict[str, str] = {
    "nyoblos": "coblos", "mencoblos": "coblos", "dicoblos": "coblos", "pencoblosan": "coblos",
    "coblosan": "coblos", "nyoblosnya": "coblos", "tercoblos": "coblos", "coblosnya": "coblos",
    "milih": "pilih", "memilih": "pilih", "dipilih": "pilih", "pilihan": "pilih",
    "pemilih": "pemilih", "pemilu": "pemilu", "pileg": "pemilu legislatif",
    "pilpres": "pemilu presiden", "pilkada": "pilkada", "pemilukada": "pilkada",
    "paslon": "pasangan calon", "capres": "calon presiden", "cawapres": "calon wakil presiden",
    "caleg": "calon legislatif", "cagub": "calon gubernur", "cawagub": "calon wakil gubernur",
    "cabup": "calon bupati", "cawalkot": "calon wali kota", "walkot": "wali kota",
    "wapres": "wakil presiden", "timses": "tim sukses", "tps": "tps", "dpt": "dpt",
    "dptb": "dpt tambahan", "dpk": "dpk", "kpps": "kpps", "ppk": "ppk", "pps": "pps",
    "c1": "c1", "formulir": "formulir", "form": "formulir", "surat suara": "surat suara",
    "sirekap": "sirekap", "qc": "quick count", "quickcount": "quick count",
    "realcount": "real count", "rc": "real count", "ktp": "ktp", "ektp": "ktp",
    "e-ktp": "ktp", "ktpel": "ktp", "kampanye": "kampanye", "berkampanye": "kampanye",
    "golput": "golput", "serangan": "serangan", "money": "money", "politic": "politik",
    "politik": "politik", "parpol": "partai politik", "bawaslu": "bawaslu", "kpu": "kpu",
    "mk": "mahkamah konstitusi", "dkpp": "dkpp", "pemungutan": "pemungutan",
    "penghitungan": "hitung", "perhitungan": "hitung", "dihitung": "hitung",
    "menghitung": "hitung", "hitungan": "hitung", "rekap": "rekapitulasi",
    "rekapitulasi": "rekapitulasi", "psu": "pemungutan suara ulang", "diundur": "tunda",
    "ditunda": "tunda", "penundaan": "tunda", "mundur": "mundur", "curang": "curang",
    "kecurangan": "curang", "dicurangi": "curang",
}

# Words too common to tell statements apart. Negations are stopwords for retrieval too; the
# polarity check reads them from the token stream before stopwords are dropped.
STOPWORDS: frozenset[str] = frozenset(
    """
    yang dan di ke dari ini itu untuk dengan pada adalah sebagai dalam akan juga atau karena
    oleh saja sudah telah bisa dapat ada agar supaya bagi para tersebut sebuah seorang para pun
    lah kah nya mereka kami kita saya anda kamu dia ia beliau kalian jika kalau maka namun
    tetapi tapi serta hingga sampai sejak ketika saat setelah sebelum lalu kemudian masih lagi
    sangat banget lebih paling hanya cuma semua setiap segala apa siapa mana kapan bagaimana
    mengapa kenapa berapa apakah sini situ sana begitu begini seperti yaitu yakni bahwa tentang
    terhadap antara harus mau ingin tahu buat jadi punya bukan belum tidak jangan oh ah eh wah
    yuk ayo mari tolong mohon silakan silahkan terima kasih the a an of to in is and for on
    that this with by
    """.split()
)

# Words that flip a claim's meaning. A statement and a claim that disagree on these are
# still answered with the statement, but never framed as confirming the claim.
NEGATIONS: frozenset[str] = frozenset({"tidak", "bukan", "belum", "jangan", "dilarang", "tanpa"})
