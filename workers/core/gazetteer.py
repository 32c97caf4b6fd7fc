"""Small word lists for entity typing, in Indonesian and English.

Kept in code so that nothing is downloaded at run time. They seed the typing of
capitalised spans; they are not meant to be exhaustive.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _set(text: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in text.split("|") if part.strip())


COUNTRIES = _set(
    "Indonesia|Malaysia|Singapura|Singapore|Thailand|Vietnam|Filipina|Philippines|Myanmar|Kamboja|Cambodia|Laos|"
    "Brunei|Brunei Darussalam|Timor Leste|Timor-Leste|Australia|Selandia Baru|New Zealand|Papua Nugini|"
    "Papua New Guinea|"
    "China|Tiongkok|Cina|Jepang|Japan|Korea|Korea Selatan|South Korea|Korea Utara|North Korea|Taiwan|Hong Kong|India|"
    "Pakistan|Bangladesh|Sri Lanka|Nepal|Afghanistan|Iran|Irak|Iraq|Suriah|Syria|Lebanon|Yordania|Jordan|Israel|"
    "Palestina|Palestine|Gaza|Tepi Barat|West Bank|Arab Saudi|Saudi Arabia|Uni Emirat Arab|United Arab Emirates|UAE|"
    "Qatar|Kuwait|Bahrain|Oman|Yaman|Yemen|Turki|Turkey|Turkiye|Türkiye|Mesir|Egypt|Libya|Tunisia|Aljazair|Algeria|"
    "Maroko|Morocco|Sudan|Ethiopia|Etiopia|Kenya|Nigeria|Afrika Selatan|South Africa|Ghana|Somalia|Rusia|Russia|"
    "Ukraina|Ukraine|Belarus|Polandia|Poland|Jerman|Germany|Prancis|Perancis|France|Inggris|Britain|Great Britain|"
    "United Kingdom|England|Skotlandia|Scotland|Irlandia|Ireland|Belanda|Netherlands|Belgia|Belgium|Spanyol|Spain|"
    "Portugal|Italia|Italy|Swiss|Switzerland|Austria|Swedia|Sweden|Norwegia|Norway|Denmark|Finlandia|Finland|"
    "Yunani|Greece|Hungaria|Hungary|Ceko|Czech Republic|Rumania|Romania|Serbia|Kroasia|Croatia|Amerika Serikat|"
    "Amerika|AS|U.S.|U.S|U.K.|UK|United States|United States of America|USA|US|Kanada|Canada|Meksiko|Mexico|"
    "Brasil|Brazil|Argentina|"
    "Chile|Cile|Kolombia|Colombia|Peru|Venezuela|Kuba|Cuba|Uzbekistan|Kazakhstan|Mongolia|Vatikan|Vatican"
)

REGIONS = _set(
    "Asia|Asia Tenggara|Southeast Asia|Asia Pasifik|Asia-Pacific|Asia Pacific|Eropa|Europe|Afrika|Africa|Timur Tengah|"
    "Middle East|Amerika Latin|Latin America|Amerika Utara|North America|Amerika Selatan|South America|Oseania|Oceania|"
    "Laut China Selatan|Laut Cina Selatan|South China Sea|Pasifik|Pacific|Atlantik|Atlantic|Arktik|Arctic|Kashmir|"
    "Crimea|Krimea|Donbas|Tepi Barat|Balkan|Skandinavia|Scandinavia|Sumatera|Sumatra|Jawa|Java|Kalimantan|Borneo|"
    "Sulawesi|Papua|Bali|Lombok|Flores|Maluku|Nusantara|Madura|Bangka|Belitung|Batam|Riau|Natuna"
)

# Indonesian provinces and cities, and the world's capitals and large news cities.
CITIES = _set(
    "Jakarta|DKI Jakarta|Jakarta Pusat|Jakarta Selatan|Jakarta Barat|Jakarta Timur|Jakarta Utara|Bogor|Depok|"
    "Tangerang|Tangerang Selatan|Bekasi|Bandung|Cirebon|Semarang|Solo|Surakarta|Yogyakarta|Jogja|Surabaya|Malang|"
    "Sidoarjo|Kediri|Banyuwangi|Denpasar|Mataram|Kupang|Makassar|Manado|Palu|Kendari|Gorontalo|Ambon|Ternate|"
    "Jayapura|Sorong|Merauke|Medan|Padang|Pekanbaru|Jambi|Palembang|Bengkulu|Bandar Lampung|Lampung|Banda Aceh|Aceh|"
    "Pontianak|Banjarmasin|Samarinda|Balikpapan|Palangka Raya|Tanjung Pinang|Pangkal Pinang|Serang|Banten|"
    "Jawa Barat|Jawa Tengah|Jawa Timur|DI Yogyakarta|Sumatera Utara|Sumatera Barat|Sumatera Selatan|Kalimantan Barat|"
    "Kalimantan Timur|Kalimantan Selatan|Kalimantan Tengah|Kalimantan Utara|Sulawesi Selatan|Sulawesi Utara|"
    "Sulawesi Tengah|Sulawesi Tenggara|Sulawesi Barat|Nusa Tenggara Barat|Nusa Tenggara Timur|NTB|NTT|Papua Barat|"
    "Papua Tengah|Papua Selatan|Maluku Utara|Kepulauan Riau|Bangka Belitung|IKN|Garut|Tasikmalaya|Sukabumi|Karawang|"
    "Purwakarta|Cianjur|Magelang|Klaten|Pati|Kudus|Tegal|Pekalongan|Purwokerto|Cilacap|Madiun|Jember|Blitar|Mojokerto|"
    "Probolinggo|Pasuruan|Gresik|Lamongan|Tuban|Bojonegoro|Batu|Sleman|Bantul|Gianyar|Badung|Tabanan|Buleleng|"
    "Washington|Washington DC|New York|Los Angeles|San Francisco|San Fransisco|Chicago|Boston|Houston|Miami|Seattle|"
    "Atlanta|Dallas|Detroit|Philadelphia|Las Vegas|London|Manchester|Liverpool|Birmingham|Edinburgh|Dublin|Paris|"
    "Marseille|Lyon|Berlin|Munich|Muenchen|Frankfurt|Hamburg|Brussels|Brussel|Amsterdam|Den Haag|The Hague|Rotterdam|"
    "Madrid|Barcelona|Lisbon|Lisabon|Roma|Rome|Milan|Milano|Jenewa|Geneva|Zurich|Wina|Vienna|Stockholm|Oslo|"
    "Kopenhagen|Copenhagen|Helsinki|Warsawa|Warsaw|Praha|Prague|Budapest|Athena|Athens|Moskow|Moscow|Kiev|Kyiv|"
    "Minsk|Istanbul|Ankara|Teheran|Tehran|Baghdad|Bagdad|Damaskus|Damascus|Beirut|Amman|Yerusalem|Jerusalem|Tel Aviv|"
    "Riyadh|Jeddah|Mekah|Makkah|Mecca|Madinah|Medina|Dubai|Abu Dhabi|Doha|Kairo|Cairo|Nairobi|Lagos|Johannesburg|"
    "Cape Town|Beijing|Shanghai|Hong Kong|Shenzhen|Guangzhou|Wuhan|Taipei|Tokyo|Osaka|Kyoto|Seoul|Pyongyang|"
    "Bangkok|Hanoi|Ho Chi Minh|Manila|Kuala Lumpur|Putrajaya|Phnom Penh|Vientiane|Yangon|Naypyidaw|Dili|Canberra|"
    "Sydney|Melbourne|Perth|Brisbane|Darwin|Auckland|Wellington|New Delhi|Delhi|Mumbai|Islamabad|Karachi|Lahore|"
    "Dhaka|Kabul|Colombo|Kathmandu|Ottawa|Toronto|Vancouver|Montreal|Mexico City|Brasilia|Rio de Janeiro|Sao Paulo|"
    "Buenos Aires|Santiago|Lima|Bogota|Caracas|Havana|Gedung Putih|White House|Kremlin|Pentagon|Capitol Hill"
)

LOCATIONS = COUNTRIES | REGIONS | CITIES | _set(
    "RI|NKRI|Republik Indonesia|Islandia|Greenland|Tibet|Xinjiang|Hawaii|Alaska|California|Texas|Florida|Siberia|"
    "Sahara|Amazon|Himalaya|Bosnia|Kosovo|Albania|Slovakia|Slovenia|Lituania|Latvia|Estonia|Georgia|Armenia|"
    "Azerbaijan|Moldova|Bulgaria|Islandia|Luksemburg|Luxembourg|Monako|Monaco|Malta|Siprus|Cyprus|Kazakstan|"
    "Kirgistan|Tajikistan|Turkmenistan|Bhutan|Maladewa|Maldives|Mauritius|Madagaskar|Madagascar|Tanzania|Uganda|"
    "Rwanda|Kongo|Congo|Angola|Zambia|Zimbabwe|Mozambik|Mozambique|Namibia|Botswana|Senegal|Mali|Niger|Chad|"
    "Kamerun|Cameroon|Pantai Gading|Ivory Coast|Liberia|Sierra Leone|Guinea|Ekuador|Ecuador|Bolivia|Paraguay|"
    "Uruguay|Panama|Kosta Rika|Costa Rica|Honduras|Guatemala|Nikaragua|Nicaragua|El Salvador|Jamaika|Jamaica|"
    "Haiti|Fiji|Samoa|Tonga|Vanuatu|Kepulauan Solomon|Solomon Islands|Palau|Nauru|Tuvalu|Kiribati"
)

# Words that make a capitalised span an organisation wherever they stand in it.
ORG_WORDS = _set(
    "Kementerian|Kemenkes|Kemenkeu|Kemendagri|Kemenlu|Kemendikbud|Kementan|Kemenhub|Kemenag|Kemenkumham|Kemhan|"
    "Badan|Dinas|Komisi|Dewan|Majelis|Mahkamah|Pengadilan|Kejaksaan|Kepolisian|Polda|Polres|Polsek|Kodam|Korem|"
    "Partai|Fraksi|Bank|PT|Tbk|Persero|Perum|BUMN|Universitas|Institut|Sekolah|Akademi|Politeknik|Yayasan|Lembaga|"
    "Asosiasi|Ikatan|Persatuan|Himpunan|Gabungan|Federasi|Perhimpunan|Organisasi|Pemerintah|Pemprov|Pemkot|Pemkab|"
    "Kantor|Sekretariat|Direktorat|Otoritas|Bursa|Rumah Sakit|RS|RSUD|Puskesmas|Kabinet|Satgas|Tim|Pusat|Koperasi|"
    "Ministry|Department|Agency|Commission|Committee|Council|Parliament|Congress|Senate|Court|Party|Union|"
    "Association|Federation|Foundation|Institute|University|College|School|Academy|Bureau|Office|Authority|Board|"
    "Corporation|Corp|Inc|Ltd|LLC|Plc|Group|Holdings|Company|Co|Bank|Fund|Reserve|Exchange|Airlines|Airways|Motors|"
    "Technologies|Systems|Media|News|Times|Post|Journal|Network|Club|FC|United|Team|Army|Navy|Force|Forces|Police|"
    "Guard|Hospital|Church|Organization|Organisation|Program|Programme|Service|Services|Administration|Cabinet"
    "|Forum|Aliansi|Koalisi|Gerakan|Movement|Baznas|BUMDes|BUMD|Hunian"
)

# Agencies, institutions and companies that news names without a telling word.
KNOWN_ORGS = _set(
    "DPR|DPD|MPR|KPK|KPU|Bawaslu|Polri|TNI|BPS|BI|OJK|BPK|BPKP|BNPB|BMKG|BPJS|BRIN|Basarnas|KSP|Bappenas|Pertamina|"
    "PLN|Telkom|Garuda Indonesia|Danantara|MUI|NU|Nahdlatul Ulama|Muhammadiyah|PDIP|PDI-P|Gerindra|Golkar|PKB|PKS|"
    "NasDem|Demokrat|PAN|PSI|Perindo|Hanura|PPP|ASEAN|APEC|PBB|UN|United Nations|NATO|WHO|IMF|World Bank|Bank Dunia|"
    "WTO|OPEC|G20|G7|BRICS|Uni Eropa|European Union|EU|UNICEF|UNESCO|UNHCR|Hamas|Hezbollah|Hizbullah|Taliban|ISIS|"
    "FBI|CIA|NASA|Pentagon|Kremlin|Google|Apple|Microsoft|Amazon|Meta|Facebook|Twitter|TikTok|Tesla|OpenAI|Nvidia|"
    "Samsung|Toyota|Reuters|AFP|AP|Associated Press|Antara|Bloomberg|Xinhua|Kyodo|Bernama|Yonhap|BBC|CNN|Al Jazeera|"
    "detikcom|Kompas|Tempo|FIFA|PSSI|UEFA|IOC|Interpol|Fed|Federal Reserve|Wall Street"
)

# Words before a name that say it is a person (titles, roles, honorifics).
PERSON_CUES = _set(
    "Presiden|Wakil Presiden|Wapres|Menteri|Menko|Mendagri|Menlu|Menkeu|Menhan|Mensesneg|Gubernur|Wagub|Bupati|"
    "Wali Kota|Walikota|Wakil|Ketua|Kepala|Direktur|Dirut|Kapolri|Kapolda|Kapolres|Panglima|Jenderal|Kolonel|"
    "Mayor|Kapten|Letnan|Brigjen|Irjen|Kombes|AKBP|AKP|Kompol|Iptu|Ipda|Aiptu|Bripka|Briptu|Jaksa|Hakim|Profesor|"
    "Prof|Dr|Ir|Haji|Hj|KH|Ustaz|Ustadz|Habib|Bapak|Pak|Ibu|Bu|Saudara|Sdr|Tuan|Nyonya|Mbak|Mas|Bang|Kak|"
    "Juru Bicara|Jubir|Anggota|Sekjen|Sekretaris Jenderal|Dubes|Duta Besar|Raja|Ratu|Pangeran|Putri|Paus|Perdana "
    "Menteri|PM|Kanselir|Senator|Pelatih|Kiper|Striker|Penyanyi|Aktor|Aktris|Ekonom|Pengamat|Analis|Peneliti|"
    "President|Vice President|Prime Minister|Minister|Secretary|Governor|Mayor|Senator|Rep|Representative|Chairman|"
    "Chair|CEO|Chief|Director|Spokesman|Spokeswoman|Spokesperson|General|Gen|Col|Lt|Sgt|Capt|Judge|Justice|"
    "Mr|Mrs|Ms|Miss|Sir|Dame|Lord|Lady|King|Queen|Prince|Princess|Pope|Chancellor|Coach|Professor|Sheikh|Ayatollah"
    # More Indonesian titles and roles written before names ("Kapolres Metro Jakarta Barat Kombes X").
    "|Dirjen|Sesjen|Kadis|Kajati|Kajari|Kasat|Kasubdit|Kabid|Kadiv|Kabag|Kasi|Kapolrestabes|Kapolresta|Kapolsek|"
    "Kasatreskrim|Kabareskrim|Danrem|Dandim|Danramil|Pangdam|Pangkostrad|Kasad|Kasal|Kasau|Mayjen|Marsekal|"
    "Laksamana|Laksma|Marsma|Brigadir|Bripda|Bharada|Serka|Pratu|Dekan|Rektor|Camat|Lurah|Kades|Sekda|Seskab|"
    "Mensos|Menkes|Mentan|Mendag|Menperin|Menaker|Menpora|Menpar|Menhub|Mendikbud|Mendikdasmen|Mendiktisaintek|"
    "Menag|Menkum|Menham|Wamen|Waka|Wakapolri|Wakapolda|Wabup|Wawali|Komut|Komisaris|Kuasa Hukum|Pengacara|"
    "Advokat|Terdakwa|Tersangka|Terpidana|Saksi|Korban|Pelaku|Pemain|Gelandang|Penyerang|Atlet|Pebulutangkis|"
    "Pembalap|Artis|Selebgram|Influencer|Dosen|Guru Besar|Pakar|Ahli|Pendiri|Founder|Bos|Kakak|Adik|Ayah|Istri|"
    "Suami|Sdri|Almarhum|Mendiang|Ustazah|Kiai|Kyai|Romo|Pastor|Pendeta|Biksu|Sultan|Permaisuri|Komjen|Letjen|"
    "Laksdya|Laksda|Marsdya|Marsda|Kolonel|Plt|Pj|Pjs|Kapten|Letkol|Lettu|Serda|Sertu|Kopda|Koptu|Praka|Prada|"
    "Bripka|Brigpol|Aipda|Ipda|Iptu|AKP|Spokesperson|Senator|Sen|Gov|Rep|Attorney|Lawyer|Attorney General|Dr|"
    "Doctor|Father|Rabbi|Imam|Officer|Detective|Inspector|Sergeant|Lieutenant|Colonel|Captain|Admiral|Commander|"
    "Chairwoman|Chairperson|Founder|Coach|Manager|Striker|Midfielder|Defender|Goalkeeper|Actor|Actress|Singer|"
    "Rapper|Author|Economist|Analyst"
)

# Verbs after a name that say it is a person speaking.
SPEECH_AFTER = _set(
    "mengatakan|menyatakan|menjelaskan|mengungkapkan|menegaskan|menambahkan|menuturkan|menyebut|menyebutkan|"
    "ujar|ujarnya|kata|katanya|tutur|tuturnya|ucap|jelas|jelasnya|imbuh|imbuhnya|said|says|told|added|wrote|"
    "explained|stated|argued|noted|tweeted|asked"
)

# Capitalised words that begin sentences or headings and are never names on their own.
STOP_CAPS = _set(
    "Hal|Ini|Itu|Namun|Tetapi|Tapi|Sementara|Selain|Setelah|Sebelum|Saat|Ketika|Dalam|Dengan|Dari|Untuk|Pada|Di|Ke|"
    "Oleh|Karena|Sebab|Jika|Kalau|Meski|Meskipun|Walaupun|Bahkan|Selanjutnya|Kemudian|Lalu|Adapun|Sedangkan|Menurut|"
    "Berdasarkan|Terkait|Mengenai|Sejak|Hingga|Sampai|Kini|Saat ini|Kami|Kita|Mereka|Dia|Ia|Beliau|Anda|Saya|Aku|"
    "Apa|Siapa|Bagaimana|Mengapa|Kenapa|Kapan|Dimana|Di mana|Berikut|Simak|Baca|Lihat|Juga|Yang|Para|Sang|Sebuah|"
    "Seorang|Salah|Semua|Setiap|Beberapa|Banyak|Tidak|Bukan|Belum|Sudah|Telah|Akan|Masih|Hanya|Pun|Ya|Oh|Nah|"
    "Sebagai|Secara|Sehingga|Agar|Supaya|Bagi|Tentang|Antara|Atas|Bawah|Tahun|Bulan|Hari|Minggu|Pekan|Senin|Selasa|"
    "Rabu|Kamis|Jumat|Sabtu|Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember|"
    "The|A|An|This|That|These|Those|It|Its|He|She|They|We|I|You|His|Her|Their|Our|But|And|Or|If|When|While|After|"
    "Before|As|At|In|On|Of|For|From|With|By|To|Under|Over|According|However|Meanwhile|Also|Still|Some|Many|Most|"
    "More|Other|Another|Such|Here|There|What|Who|How|Why|Where|Which|Yes|No|Not|Now|Then|Today|Yesterday|Tomorrow|"
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|June|July|August|October|"
    "December|Read|Watch|Photo|Video|Advertisement|Editor|Reporter|Foto|Ilustrasi|Iklan|WIB|WITA|WIT|UTC|GMT|Pejabat|Warga|Polisi|Petugas|KTT|"
    "Pihak|Dilansir|Dikutip|Melansir|Mengutip|Sebesar|Senilai|Sekitar|Sejumlah|Nomor|No|Lantas|Sayangnya|Padahal|"
    "Diketahui|Disebutkan|Dijelaskan|Seiring|Usai|Jelang|Soal|Kata|Ujar"
)

# Words that continue a title or role ("Menteri Luar Negeri", "Treasury Secretary"): not part of a name.
ROLE_WORDS = _set(
    "Luar|Dalam|Negeri|Keuangan|Pertahanan|Agama|Kesehatan|Perdagangan|Perindustrian|Pertanian|Perhubungan|"
    "Pendidikan|Sosial|Hukum|Koordinator|Bidang|Senior|Umum|Besar|Utama|Pelaksana|Harian|Plt|Pj|Eksekutif|"
    "Treasury|State|Foreign|Defense|Defence|Finance|Home|Interior|Justice|Deputy|Vice|Acting|Former|Executive|"
    "Secretary|Minister|Affairs|General|Attorney|Press|Security|National|Chief|Senior|Mantan|Eks|Calon"
    # Fields that follow a role ("Direktur Riset", "Kepala Humas", "Pakar Kebijakan Publik"): not name parts.
    "|Riset|Operasional|Pemasaran|Komunikasi|Hubungan|Humas|Penelitian|Kebijakan|Publik|Politik|Ekonomi|"
    "Pembangunan|Pengembangan|Strategi|Investasi|Perencanaan|Industri|Teknologi|Informasi|Bisnis|Korporat|"
    "Corporate|Communication|Communications|Marketing|Operations|Research|Policy|Public|Relations|Strategy|"
    "Investment|Technology|Pasar|Market|Tetap|Muda|Madya|Pratama|Ahli|Tenaga|Staf|Khusus|Pengajar|Hukum|Tata|"
    "Negara"
)

NEWS_AGENCIES = {
    "afp": "AFP", "reuters": "Reuters", "ap": "AP", "associated press": "AP", "antara": "Antara",
    "bloomberg": "Bloomberg", "xinhua": "Xinhua", "kyodo": "Kyodo", "bernama": "Bernama", "yonhap": "Yonhap",
    "dpa": "dpa", "efe": "EFE", "ansa": "ANSA", "tass": "TASS", "upi": "UPI", "anadolu": "Anadolu", "aa": "Anadolu",
    # Broadcasters and wires that news credits in datelines ("(CNN)", "Hong Kong (CNN Business)").
    "cnn": "CNN", "bbc": "BBC", "cna": "CNA", "nhk": "NHK", "al jazeera": "Al Jazeera", "ria novosti": "RIA Novosti",
    "interfax": "Interfax", "wafa": "WAFA", "irna": "IRNA", "kcna": "KCNA", "pti": "PTI", "ani": "ANI",
    "agence france-presse": "AFP", "anadolu agency": "Anadolu", "spa": "SPA",
}

_MINISTER = re.compile(
    r"^(?:wa)?men(?:ko|keu|dagri|lu|han|sos|kes|tan|dag|perin|aker|naker|pora|par\w*|hub|dik\w+|ag|pan\w*|kum\w*|"
    r"ham|lh|esdm|kop\w*|pu\w*|bumn|sesneg|kominfo|komdigi|trans|des\w*|pppa|pkp|ekraf|imipas|investasi|bud|ekon)$"
    r"|^(?:waka|ka)(?:polri|polda|polres\w*|polsek|bareskrim|div\w*|bid\w*|sat\w*|subdit|bag\w*|jati|jari|rutan|"
    r"lapas|pus\w*|kanwil|korlantas|baharkam|humas|basarnas|bnpb|bpbd|bnn|bin|bais|bssn|bpom)$"
)


@lru_cache(maxsize=1 << 16)  # asked for every capitalised word, many times per article
def is_person_cue(word: str) -> bool:
    low = word.lower().strip(".,")
    return low in PERSON_CUES or bool(_MINISTER.match(low))


# Speech verbs that come before the name in Indonesian reported speech ('"...," kata Tito.').
SPEECH_BEFORE = _set(
    "kata|ujar|tutur|ucap|jelas|imbuh|tegas|ungkap|terang|sebut|papar|lanjut|tambah|pungkas|beber|tandas|sambung|"
    "urai|kata dia|said|says|added|wrote|asked|according"
)

# Institution morphology: Indonesian abbreviation-words for ministries, local governments,
# police and military units, and prosecutors' offices ("Kemendikdasmen", "Pemprov", "Polresta").
_ORG_MORPH = re.compile(
    r"^(?:kemen(?!ang)\w+|kem(?:lu|han|kes|dag|naker|ensetneg)\w*|pem(?:prov|kab|kot|da|des|ko)\w*|"
    r"pol(?:da|res|resta|restabes|sek|airud)\w*|kodam|kodim|korem|koramil|kodiklat|kostrad|kopassus|kejati|kejari|"
    r"kejagung|lanud|lantamal|lanal|disdik|dinkes|disdukcapil|dishub|dispora|disnaker|diskominfo|disperindag|dispar|"
    r"bapenda|bappeda|bappenas|setda|setjen|itjen|ditjen|ditreskrimum|ditreskrimsus|ditlantas|satreskrim|satlantas|"
    r"kanwil|lapas|rutan|puskesmas|posyandu)$"
)
@lru_cache(maxsize=1 << 16)
def is_org_morph(word: str) -> bool:
    return bool(_ORG_MORPH.match(word.lower().strip(".,")))


# First words that make a run a place ("Kota Medan", "Jalan Sudirman", "Istana Negara", "Mount Everest").
LOC_HEAD_WORDS = _set(
    "Kota|Kabupaten|Kab|Provinsi|Prov|Desa|Kecamatan|Kelurahan|Dusun|Kampung|Jalan|Jl|Pulau|Kepulauan|Gunung|"
    "Sungai|Danau|Teluk|Selat|Laut|Samudra|Samudera|Tanjung|Bandara|Pelabuhan|Stasiun|Terminal|Istana|Gedung|"
    "Masjid|Gereja|Pura|Candi|Pantai|Taman|Lapangan|Stadion|Kawasan|Wilayah|Perumahan|Pasar|Alun-alun|Benteng|"
    "Keraton|Kraton|Monumen|Tol|Mount|Mt|Lake|Fort|Port|Cape|Gulf|Bay"
    "|Hotel|Kompleks|Mapolda|Mapolres|Mapolsek|Mako|Markas|Bundaran|Simpang|Jembatan|Bendungan|Waduk|Situ|Kebun|"
    "Hutan|Cagar|Lembah|Tanjung"
)
# Last words that make a run a place (English order: "Cook County", "Hudson River").
LOC_TAIL_WORDS = _set(
    "City|County|Province|Island|Islands|River|Valley|Bay|Beach|Street|St|Avenue|Ave|Road|Square|Park|Airport|"
    "Station|Mountains|Hills|Heights|Peninsula|Strait|Sea|Ocean|Desert|Coast|District|Region|Village|Township"
)

# Upper-case words that are not institutions: zones, currencies, document and programme
# abbreviations of everyday Indonesian news, units.
NON_ORG_CAPS = _set(
    "WIB|WITA|WIT|UTC|GMT|AM|PM|OK|RP|USD|IDR|EUR|SGD|MYR|JPY|CNY|CEO|CFO|CTO|COO|VIP|II|III|IV|PHK|OTT|APBN|APBD|"
    "PDB|GDP|PPN|PPH|BBM|KTP|SIM|NIK|HP|WNI|WNA|ASN|PNS|TKI|COVID|AI|IT|TV|UU|RUU|KUHP|KUHAP|PERPU|PERPPU|PP|"
    "RT|RW|KM|KG|CM|MM|HA|MW|KWH|GB|MB|YOY|MTM|QTQ|IPO|PHP|DPO|SK|SE|MOU|NPWP|SPT|THR|BLT|BSU|PBI|SD|SMP|SMA|SMK|"
    "SMA|PAUD|TK|S1|S2|S3|LPG|CNG|LNG|EV|PC|APK|OTP|SMS|ID|URL|PDF|FAQ|DIY|USA|UK|US|EU"
)


# Words that open an Indonesian institution's name ("Kementerian Pertanian", "Dinas Pendidikan dan
# Kebudayaan"): the name starts at them, and "dan" inside such a name joins rather than separates.
ORG_HEAD_WORDS = _set(
    "Kementerian|Badan|Dinas|Komisi|Dewan|Majelis|Mahkamah|Pengadilan|Kejaksaan|Kepolisian|Partai|Fraksi|"
    "Universitas|Institut|Sekolah|Akademi|Politeknik|Yayasan|Lembaga|Asosiasi|Ikatan|Persatuan|Himpunan|Gabungan|"
    "Federasi|Perhimpunan|Organisasi|Pemerintah|Kantor|Sekretariat|Direktorat|Otoritas|Bursa|Koperasi|Satgas|"
    "Balai|Biro|Pusat|Perusahaan|Serikat|Forum|Aliansi|Koalisi|Kamar|PT|CV|Ministry|Department|University|"
    "Bank|Commission|Council|Committee|Institute|Association|Federation|Foundation|Office|Board|Agency|Bureau"
)

# Words of events, programmes, documents, periods and things: a run holding one is not a person.
NOT_PERSON_WORDS = _set(
    "Piala|Liga|League|Cup|Games|Olympics|Olimpiade|Awards|Award|Festival|Expo|Summit|Konferensi|Conference|Forum|"
    "Database|Index|Indeks|Report|Laporan|Facility|Program|Programme|Project|Proyek|Semester|Kuartal|Quarter|Tahap|"
    "Rp|Tech|Technology|Energy|Minerals|Intelligence|Transition|Wall|Day|Week|Hari|Pekan|Bulan|Tahun|Era|Edisi|"
    "Hotel|Resort|Mall|Plaza|Tower|Ballroom|Kompleks|Complex|Center|Centre|Hall|Arena|Stadium|Mapolda|Mapolres|"
    "Mapolsek|Mako|Aliansi|Koalisi|Gerakan|Movement|Aksi|Inovasi|Transformasi|Ekonomi|Politik|Undang-Undang|"
    "Peraturan|Keputusan|Surat|Pasal|Act|Bill|Law|Policy|Kebijakan|Sains|Science|Research|Riset|Studi|Studies|"
    "Girls|Boys|Band|Tour|Album|Film|Series|Season|Episode|Awards|Prize|Hadiah|Maha|Esa|Tuhan|Allah|God"
)


