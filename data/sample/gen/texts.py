"""Text banks of the sample: institutions' posts, citizens' comments, institutions' answers.

All text is written for this sample (no real person's words). Placeholders in braces are
filled by `fill`: {street} {place} {district} {n} {date} {month} {hour} {city} {county}
{email} {dept}. Topics follow the citizens' concerns the comment analysis looks for.
"""

from __future__ import annotations

import random
import re

TOPICS = (
    "transport",
    "roads",
    "parking",
    "waste",
    "water",
    "housing",
    "environment",
    "safety",
    "health",
    "education",
    "taxes",
    "documents",
    "events",
    "social",
)

# Topics each type of institution posts about (weights).
TOPICS_BY_TYPE: dict[str, dict[str, int]] = {
    "city_hall": {
        "transport": 3,
        "roads": 4,
        "parking": 2,
        "waste": 2,
        "environment": 2,
        "events": 4,
        "taxes": 2,
        "education": 2,
        "housing": 1,
        "safety": 1,
    },
    "county_council": {
        "roads": 4,
        "health": 2,
        "education": 2,
        "environment": 2,
        "events": 3,
        "waste": 2,
        "documents": 1,
    },
    "prefecture": {"documents": 5, "safety": 3, "events": 2, "roads": 1},
    "social": {"social": 6, "housing": 2, "health": 1, "events": 1},
    "police": {"safety": 6, "parking": 2, "transport": 1, "events": 1},
    "waste": {"waste": 6, "environment": 3, "events": 1},
    "water": {"water": 7, "taxes": 1, "environment": 1},
    "hospital": {"health": 7, "events": 1, "education": 1},
}

FIRST_F = [
    "Ioana",
    "Maria",
    "Elena",
    "Andreea",
    "Ana",
    "Mihaela",
    "Cristina",
    "Alexandra",
    "Raluca",
    "Gabriela",
    "Diana",
    "Simona",
    "Roxana",
    "Laura",
    "Oana",
    "Irina",
    "Alina",
    "Corina",
    "Daniela",
    "Bianca",
    "Larisa",
    "Teodora",
    "Camelia",
    "Florentina",
]
FIRST_M = [
    "Andrei",
    "Mihai",
    "Alexandru",
    "Ion",
    "Gheorghe",
    "Vasile",
    "Cristian",
    "Florin",
    "Adrian",
    "Bogdan",
    "Radu",
    "Marius",
    "Sorin",
    "Ciprian",
    "Dan",
    "Ovidiu",
    "Tudor",
    "Cosmin",
    "Lucian",
    "Victor",
    "Ștefan",
    "Răzvan",
    "Dragoș",
    "Claudiu",
]
LAST = [
    "Popescu",
    "Ionescu",
    "Popa",
    "Dumitru",
    "Stan",
    "Stoica",
    "Gheorghe",
    "Matei",
    "Ciobanu",
    "Rusu",
    "Munteanu",
    "Lungu",
    "Constantin",
    "Marin",
    "Toma",
    "Dinu",
    "Barbu",
    "Neagu",
    "Moldovan",
    "Sârbu",
    "Nistor",
    "Florea",
    "Preda",
    "Dobre",
    "Ene",
    "Tudose",
    "Văduva",
    "Manole",
    "Ardeleanu",
    "Bratu",
]
HU_FIRST = [
    "Zoltán",
    "István",
    "Csaba",
    "Levente",
    "Attila",
    "Katalin",
    "Erzsébet",
    "Réka",
    "Enikő",
    "Tünde",
    "Botond",
    "Ildikó",
]
HU_LAST = [
    "Kovács",
    "Szabó",
    "Nagy",
    "Tóth",
    "Fekete",
    "Balogh",
    "Kiss",
    "Fazakas",
    "Bartha",
    "Székely",
]
EN_FIRST = ["Mark", "Sarah", "James", "Emily", "Tom", "Hannah", "Luca", "Sofia", "Daniel", "Anna"]
EN_LAST = ["Walsh", "Miller", "Brennan", "Fischer", "Rossi", "Novak", "Jensen", "Keller"]

STREETS = [
    "strada Mihai Eminescu",
    "bulevardul Unirii",
    "strada Florilor",
    "strada Gării",
    "strada Libertății",
    "strada Morii",
    "aleea Teilor",
    "strada Independenței",
    "strada Castanilor",
    "bulevardul Republicii",
    "strada Tineretului",
    "strada Câmpului",
    "strada Avram Iancu",
    "calea Bucureștiului",
    "strada Viilor",
    "strada Școlii",
]
PLACES = [
    "Parcul Central",
    "Piața Centrală",
    "Casa de Cultură",
    "Sala Sporturilor",
    "Biblioteca Județeană",
    "Muzeul Județean",
    "Stadionul Municipal",
    "Ștrandul Municipal",
    "Grădina Publică",
    "Piața Unirii",
    "Parcul Tineretului",
    "Centrul Vechi",
]
DISTRICTS = [
    "Nord",
    "Sud",
    "Gară",
    "Centru",
    "Micro 3",
    "Dealul Viilor",
    "Câmpul Florilor",
    "Tineretului",
]
MONTHS = [
    "ianuarie",
    "februarie",
    "martie",
    "aprilie",
    "mai",
    "iunie",
    "iulie",
    "august",
    "septembrie",
    "octombrie",
    "noiembrie",
    "decembrie",
]
DEPTS = [
    "Direcția Tehnică",
    "Serviciul Urbanism",
    "Direcția de Taxe și Impozite",
    "operatorul de salubrizare",
    "Poliția Locală",
    "Direcția de Drumuri",
    "serviciul de relații cu publicul",
    "compartimentul de specialitate",
]

# Institution posts: (title, text). Titles are used by blog posts and videos.
POSTS: dict[str, list[tuple[str, str]]] = {
    "transport": [
        (
            "Traseu deviat pentru linia {n}",
            (
                "Începând de luni, linia {n} de autobuz circulă pe un traseu deviat din cauza "
                "lucrărilor de pe {street}. Stațiile provizorii sunt marcate cu indicatoare galbene."
            ),
        ),
        (
            "Program de vară pentru transportul public",
            (
                "Noul program de transport public intră în vigoare de la 1 {month}. În orele de vârf "
                "autobuzele circulă la 12 minute."
            ),
        ),
        (
            "Autobuze electrice noi în {city}",
            (
                "Au sosit încă {n} autobuze electrice pentru transportul public din {city}. Intră pe "
                "traseu săptămâna viitoare, pe liniile cu cei mai mulți călători."
            ),
        ),
        (
            "Abonamente gratuite pentru elevi",
            (
                "Elevii din {city} circulă gratuit cu abonamentul școlar. Cererile se depun la "
                "casieriile de transport până pe {date}."
            ),
        ),
        (
            "Stații noi cu afișaj electronic",
            (
                "Am montat afișaje electronice în {n} stații de autobuz. Orele de sosire se văd și în "
                "aplicația mobilă."
            ),
        ),
    ],
    "roads": [
        (
            "Încep lucrările de asfaltare pe {street}",
            (
                "Au început lucrările de asfaltare pe {street}. Vă rugăm să folosiți rute alternative "
                "între orele 8:00 și 18:00. Estimăm finalizarea până pe {date}."
            ),
        ),
        (
            "Stadiul lucrărilor la drumul județean DJ {n}",
            (
                "Lucrările de modernizare a drumului județean DJ {n} au ajuns la {pct}%. Estimăm "
                "finalizarea în luna {month}."
            ),
        ),
        (
            "Trotuare noi în cartierul {district}",
            (
                "Am finalizat trotuarele și rigolele din cartierul {district}. Urmează marcajele "
                "rutiere și semnalizarea trecerilor de pietoni."
            ),
        ),
        (
            "Restricții de circulație în weekend",
            (
                "Sâmbătă și duminică circulația este închisă pe {street} pentru turnarea stratului de "
                "uzură. Transportul public este deviat."
            ),
        ),
        (
            "Plombări în tot orașul",
            (
                "Echipele de întreținere a drumurilor lucrează săptămâna aceasta la plombarea gropilor "
                "în cartierele {district} și Centru."
            ),
        ),
        (
            "Pod nou peste pârâul Morii",
            (
                "A fost recepționat podul nou peste pârâul Morii, pe drumul județean DJ {n}. Circulația "
                "se desfășoară de azi fără restricții."
            ),
        ),
    ],
    "parking": [
        (
            "Plata parcării prin SMS",
            (
                "De la 1 {month} parcarea se poate plăti și prin SMS sau din aplicația mobilă. Tarifele "
                "rămân neschimbate."
            ),
        ),
        (
            "Locuri noi de parcare de reședință",
            (
                "Au fost amenajate {n} locuri noi de parcare de reședință în cartierul {district}. "
                "Cererile se depun la registratură până pe {date}."
            ),
        ),
        (
            "Ridicarea mașinilor abandonate",
            (
                "Continuăm acțiunea de identificare a mașinilor abandonate pe domeniul public. "
                "Proprietarii au 10 zile să le mute, altfel sunt ridicate."
            ),
        ),
    ],
    "waste": [
        (
            "Programul de colectare separată",
            (
                "Reamintim programul de colectare separată: hârtie și plastic marți, sticlă joi. "
                "Deșeurile voluminoase se colectează gratuit în prima sâmbătă a lunii."
            ),
        ),
        (
            "Colectare de deșeuri electrice",
            (
                "Campania de colectare a deșeurilor electrice continuă sâmbătă, {date}, în {place}, "
                "între orele 9 și 14. Primiți un voucher pentru fiecare aparat predat."
            ),
        ),
        (
            "Containere noi pentru colectare selectivă",
            (
                "Am amplasat {n} puncte noi de colectare selectivă în cartierul {district}. "
                "Vă mulțumim că sortați!"
            ),
        ),
        (
            "Ecologizare pe malul râului",
            (
                "Peste {n} de voluntari au strâns sâmbătă două tone de deșeuri de pe malul râului. "
                "Mulțumim tuturor celor care au venit!"
            ),
        ),
    ],
    "water": [
        (
            "Întrerupere a furnizării apei pe {street}",
            (
                "Avarie pe conducta principală de pe {street}: furnizarea apei este întreruptă între "
                "orele 10:00 și {hour}. Ne cerem scuze pentru neplăcerile create."
            ),
        ),
        (
            "Calitatea apei potabile",
            (
                "Analizele de laborator din această lună confirmă că apa potabilă din rețea respectă "
                "toți parametrii de calitate. Buletinele sunt publicate pe site."
            ),
        ),
        (
            "Lucrări la rețeaua de canalizare",
            (
                "Extindem rețeaua de canalizare în cartierul {district}. Lucrările durează până în "
                "luna {month}; vă mulțumim pentru răbdare."
            ),
        ),
        (
            "Citirea apometrelor",
            (
                "În perioada {date} – sfârșitul lunii citim apometrele din cartierele {district} și "
                "Centru. Vă rugăm să asigurați accesul cititorilor."
            ),
        ),
    ],
    "housing": [
        (
            "Lista de priorități pentru locuințe sociale",
            (
                "A fost publicată lista de priorități pentru locuințele sociale. Contestațiile se depun "
                "până pe {date}, la registratură."
            ),
        ),
        (
            "Blocul de locuințe pentru tineri",
            (
                "Blocul de locuințe pentru tineri de pe {street} a ajuns la etajul {n}. Repartizarea "
                "apartamentelor se face după lista aprobată în consiliu."
            ),
        ),
    ],
    "environment": [
        (
            "Plantăm {n} de arbori în {place}",
            "Plantăm {n} de arbori în {place} sâmbătă dimineață. Vă așteptăm cu mănuși și voie bună!",
        ),
        (
            "Calitatea aerului",
            (
                "Senzorii de calitate a aerului din {city} arată valori în limite normale. Datele în "
                "timp real sunt publice pe site."
            ),
        ),
        (
            "Parc nou în cartierul {district}",
            (
                "Parcul din cartierul {district} a fost deschis: alei noi, bănci, iluminat și un loc de "
                "joacă pentru copii."
            ),
        ),
    ],
    "safety": [
        (
            "Atenție la înșelăciunile telefonice",
            (
                "Atenție la tentativele de înșelăciune telefonică! Nu oferiți date personale sau "
                "bancare la telefon, indiferent cine pretinde că vă sună."
            ),
        ),
        (
            "Cod portocaliu de caniculă",
            (
                "Meteorologii au emis cod portocaliu de caniculă până pe {date}. Evitați expunerea la "
                "soare între 11 și 17; punctele de prim ajutor sunt deschise în {place}."
            ),
        ),
        (
            "Controale în trafic",
            (
                "Polițiștii locali au verificat săptămâna aceasta {n} de autovehicule și au aplicat "
                "sancțiuni pentru parcare neregulamentară."
            ),
        ),
        (
            "Iluminat public nou",
            (
                "Am înlocuit iluminatul public de pe {street} cu corpuri LED. Zona este acum mai sigură "
                "pentru pietoni."
            ),
        ),
        (
            "Ședința Comitetului pentru Situații de Urgență",
            (
                "Comitetul Județean pentru Situații de Urgență s-a reunit astăzi pentru pregătirea "
                "sezonului rece. Sunt pregătite {n} de utilaje de deszăpezire."
            ),
        ),
    ],
    "health": [
        (
            "Campania de vaccinare antigripală",
            (
                "Campania de vaccinare antigripală începe pe {date}. Vaccinul este gratuit pentru "
                "persoanele din grupele de risc, la medicul de familie."
            ),
        ),
        (
            "Program prelungit la ambulatoriu",
            (
                "Ambulatoriul de specialitate are program prelungit până la ora 20:00 de luni până "
                "vineri. Programările se fac telefonic sau online."
            ),
        ),
        (
            "Donează sânge, salvează vieți",
            (
                "Donează sânge, salvează vieți! Centrul de transfuzie așteaptă donatori în {place}, "
                "între orele 8 și 13."
            ),
        ),
        (
            "Secția renovată de pediatrie",
            (
                "Secția de pediatrie renovată și-a reluat activitatea. Au fost modernizate {n} saloane "
                "și sala de tratamente."
            ),
        ),
        (
            "Aparatură nouă la spital",
            (
                "Spitalul a primit un computer tomograf nou. Investigațiile pot fi programate de "
                "săptămâna viitoare."
            ),
        ),
    ],
    "education": [
        (
            "Înscrieri la grădiniță",
            (
                "Înscrierile la grădinițele din {city} au loc între {date} și sfârșitul lunii. Lista "
                "documentelor necesare este publicată pe site."
            ),
        ),
        (
            "Școala nr. {n} renovată",
            (
                "Lucrările la Școala Gimnazială nr. {n} s-au încheiat: clase noi, grupuri sanitare și "
                "sală de sport. Elevii încep anul școlar în clădirea renovată."
            ),
        ),
        (
            "Burse pentru elevi",
            (
                "Bursele școlare se plătesc până pe {date}. Elevii cu rezultate foarte bune primesc și "
                "o bursă de merit din bugetul local."
            ),
        ),
    ],
    "taxes": [
        (
            "Termenul de plată a impozitelor",
            (
                "Reamintim că termenul pentru plata impozitelor fără penalități este {date}. Plata se "
                "poate face online, cu cardul, sau la casieriile din {place}."
            ),
        ),
        (
            "Bonificație pentru plata anticipată",
            (
                "Cei care plătesc integral impozitul pe clădiri până la termen primesc o bonificație "
                "de 10%."
            ),
        ),
    ],
    "documents": [
        (
            "Program prelungit la pașapoarte",
            (
                "Serviciul Public Comunitar de Pașapoarte are program prelungit în {month}: de luni "
                "până joi între 8:00 și 19:00. Programările se fac online."
            ),
        ),
        (
            "Permise de conducere și înmatriculări",
            (
                "Programările pentru examenul auto și pentru înmatriculări se fac online. Vă rugăm să "
                "verificați actele înainte de a veni la ghișeu."
            ),
        ),
        (
            "Certificat de urbanism online",
            (
                "Cererile pentru certificatul de urbanism se pot depune și online. Termenul legal de "
                "eliberare este de 15 zile."
            ),
        ),
        (
            "Apostila pe documente",
            (
                "Apostila pe actele oficiale se aplică la sediul instituției, de luni până vineri, "
                "între orele 9 și 12."
            ),
        ),
    ],
    "events": [
        (
            "Zilele orașului {city}",
            (
                "Zilele orașului {city}: concerte, târg meșteșugăresc și spectacole pentru copii în "
                "{place}. Programul complet este publicat pe site."
            ),
        ),
        (
            "Ședința ordinară a consiliului",
            (
                "Ședința ordinară a consiliului are loc joi, {date}, la ora 14:00. Ședința este "
                "publică și transmisă live."
            ),
        ),
        (
            "Festivalul de teatru",
            (
                "Festivalul de teatru începe pe {date} la Casa de Cultură. Intrarea este liberă, în "
                "limita locurilor disponibile."
            ),
        ),
        (
            "Ziua Națională",
            "Vă invităm la ceremonia de 1 Decembrie în {place}. Programul începe la ora 11:00.",
        ),
        (
            "Târgul de toamnă",
            (
                "Târgul de toamnă are loc în weekend în {place}: produse locale, meșteșugari și muzică "
                "populară."
            ),
        ),
    ],
    "social": [
        (
            "Ajutoare pentru încălzirea locuinței",
            (
                "Cererile pentru ajutorul de încălzire a locuinței se depun până pe {date}. "
                "Formularul se găsește la registratură și pe site."
            ),
        ),
        (
            "Pachete pentru vârstnici",
            (
                "Am distribuit {n} de pachete cu alimente de bază persoanelor vârstnice singure din "
                "{city}. Mulțumim voluntarilor!"
            ),
        ),
        (
            "Centrul de zi pentru vârstnici",
            (
                "Centrul de zi pentru vârstnici din cartierul {district} are activități zilnice: "
                "gimnastică, lectură și consiliere."
            ),
        ),
        (
            "Îngrijitori la domiciliu",
            (
                "Căutăm îngrijitori la domiciliu pentru persoanele dependente. Detalii la sediul "
                "direcției, de luni până vineri."
            ),
        ),
    ],
}

# The engagement-ladder rungs above "one-way information" (seed 002: commentary and
# questions; static ideas and input; contest submissions; dynamic ideas with voting).
QUESTION_POSTS = [
    (
        "Ce părere aveți?",
        ("Ce părere aveți despre noua amenajare din {place}? Așteptăm comentariile voastre!"),
    ),
    (
        "Străzi prioritare",
        (
            "Ce străzi considerați că ar trebui reabilitate cu prioritate anul "
            "viitor? Scrieți-ne în comentarii."
        ),
    ),
    (
        "Întrebați-ne",
        (
            "Aveți întrebări despre {topic_ro}? Răspundem azi între orele 12 și 14, "
            "aici, în comentarii."
        ),
    ),
    (
        "Sugestiile voastre",
        (
            "Cum putem îmbunătăți serviciile noastre? Orice sugestie contează, "
            "lăsați-ne un comentariu."
        ),
    ),
]
CONSULTATION_POSTS = [
    (
        "Consultare publică: {subject}",
        (
            "Consultare publică: proiectul de hotărâre privind {subject} este în dezbatere publică "
            "până pe {date}. Trimiteți propuneri la {email} sau aici, în comentarii."
        ),
    ),
    (
        "Bugetul participativ 2027",
        (
            "Bugetul participativ 2027: trimiteți propuneri de proiecte pentru cartierul vostru până "
            "pe {date}! Cele mai votate proiecte intră în buget."
        ),
    ),
    (
        "Dezbatere publică",
        (
            "Vă invităm la dezbaterea publică despre {subject}, marți la ora 17:00, în sala de "
            "consiliu. Propunerile scrise le primim la {email}."
        ),
    ),
]
SUBJECTS = [
    "regulamentul de parcare",
    "planul de mobilitate urbană",
    "taxele locale pe 2027",
    "planul județean de gestionare a deșeurilor",
    "regulamentul spațiilor verzi",
    "strategia de dezvoltare locală",
    "programul de reabilitare termică",
]
CONTEST_POSTS = [
    (
        "Concurs foto „{city} văzut de tine”",
        (
            "Concurs foto „{city} văzut de tine”: trimiteți cele mai frumoase fotografii până pe "
            "{date}. Cele mai apreciate trei fotografii primesc premii și intră în calendarul 2027."
        ),
    ),
    (
        "Concurs pentru elevi",
        (
            "Concurs pentru elevi: desenează orașul viitorului! Lucrările se trimit până pe {date}, "
            "iar câștigătorii vor fi anunțați la Zilele orașului."
        ),
    ),
    (
        "Concurs: cel mai frumos balcon",
        (
            "Concurs: cel mai frumos balcon înflorit din {city}! Trimiteți o fotografie în "
            "comentarii; votul publicului decide câștigătorul."
        ),
    ),
]
POLL_POSTS = [
    (
        "Votați amenajarea din {place}",
        "Votați: ce amenajare doriți în {place}?",
        ["Loc de joacă", "Teren de sport", "Spațiu verde", "Parcare"],
    ),
    (
        "Votați programul de vară",
        "Votați: până la ce oră să fie deschis ștrandul în această vară?",
        ["Ora 20:00", "Ora 21:00", "Ora 22:00"],
    ),
    (
        "Votați tema festivalului",
        "Votați tema Zilelor orașului de anul acesta!",
        ["Muzică", "Teatru de stradă", "Gastronomie", "Sport"],
    ),
    (
        "Votați proiectul de buget participativ",
        "Votați proiectul de buget participativ pentru cartierul {district}!",
        ["Pistă de biciclete", "Parc pentru câini", "Bănci și iluminat"],
    ),
]
EN_POSTS = [
    (
        "{city} Days – programme in English",
        (
            "{city} Days are here! Concerts, a crafts fair and family shows in {place} all weekend. "
            "Full programme on our website."
        ),
    ),
    (
        "Visiting {city}?",
        (
            "Visiting {city} this summer? The tourist information centre in "
            "{place} is open daily from 9 to 18."
        ),
    ),
]
VIDEO_POSTS = [
    (
        "Ședința ordinară a consiliului din {date}",
        (
            "Înregistrarea integrală a ședinței ordinare a consiliului din {date}. Ordinea de zi și "
            "proiectele de hotărâre sunt publicate pe site."
        ),
    ),
    (
        "Imagini din dronă: lucrările de pe {street}",
        "Cum arată lucrările de pe {street} la jumătatea lunii. Filmare: Serviciul Comunicare.",
    ),
    (
        "Întrebări și răspunsuri despre {topic_ro}",
        "Răspundem la cele mai frecvente întrebări primite de la voi despre {topic_ro}.",
    ),
    (
        "Zilele orașului {city} – rezumat",
        (
            "Cele mai frumoase momente de la Zilele orașului {city}. Mulțumim tuturor celor care au "
            "fost alături de noi!"
        ),
    ),
    (
        "Ghid video: cum depuneți o cerere online",
        "Pas cu pas: cum depuneți o cerere online, fără drum la ghișeu.",
    ),
]
TOPIC_RO = {
    "transport": "transportul public",
    "roads": "lucrările la drumuri",
    "parking": "parcări",
    "waste": "colectarea deșeurilor",
    "water": "apă și canalizare",
    "housing": "locuințe",
    "environment": "spațiile verzi",
    "safety": "siguranța publică",
    "health": "serviciile medicale",
    "education": "școli și grădinițe",
    "taxes": "taxe și impozite",
    "documents": "acte și documente",
    "events": "evenimentele din oraș",
    "social": "asistența socială",
}
CROSS_INVITES = [
    "Ne găsiți și pe Bluesky: {url}",
    "Urmăriți-ne și pe Mastodon: {url}",
    "Abonați-vă la canalul nostru de YouTube: {url}",
    "Toate noutățile sunt și pe site: {url}",
]
HASHTAGS = {
    "events": "evenimente",
    "roads": "lucrari",
    "transport": "transport",
    "environment": "mediu",
    "health": "sanatate",
    "safety": "siguranta",
    "waste": "reciclare",
    "water": "apa",
    "education": "educatie",
}

# Citizens' comments by topic and kind (question, complaint, praise, suggestion).
COMMENTS: dict[str, dict[str, list[str]]] = {
    "transport": {
        "question": [
            "Când se introduce și linia {n} pe {street}? Dimineața autobuzele sunt pline.",
            "De ce nu circulă autobuze duminica după ora 20?",
            "Abonamentul pentru pensionari se poate face online?",
        ],
        "complaint": [
            "Autobuzul {n} a întârziat iar 25 de minute. Nu e bine deloc!",
            "Stațiile nu au afișaj cu orele de sosire, nu e normal în 2026.",
            "Aerul condiționat din autobuze nu merge, e cuptor înăuntru.",
        ],
        "praise": [
            "Foarte bine că au venit autobuzele electrice, felicitări!",
            "Șoferul de pe linia {n} a fost foarte amabil azi, mulțumim!",
        ],
        "suggestion": [
            "Ar fi util un abonament lunar mai ieftin pentru elevi și pensionari.",
            "Puneți o cursă și la 6 dimineața pentru cei care lucrează în tură.",
        ],
    },
    "roads": {
        "question": [
            "Când se repară strada? Sunt gropi de jumătate de metru pe {street}.",
            "Pe {street} nu se mai poate circula de două luni. Până când?",
            "Când se termină lucrările? Tot praful intră în case.",
        ],
        "complaint": [
            "Asfaltul pus anul trecut s-a stricat deja. Bani aruncați.",
            "Nu e bine cum s-au făcut lucrările, apa băltește la fiecare ploaie.",
            "Gropile de pe {street} ne distrug mașinile, nu mai putem!",
        ],
        "praise": [
            "Mulțumim pentru trotuarul nou de pe {street}!",
            "Arată foarte bine strada acum, bravo echipei!",
        ],
        "suggestion": [
            "Propun să se facă și o pistă de biciclete când refaceți bulevardul.",
            "Puneți limitatoare de viteză lângă școală, vă rog.",
        ],
    },
    "parking": {
        "question": [
            "Cum se depune cererea pentru parcarea de reședință? Online se poate?",
            "Unde putem parca în zona spitalului?",
        ],
        "complaint": [
            ("Nu mai găsim loc de parcare în cartier, toate sunt ocupate de mașini abandonate."),
            ("Parcarea pe trotuar ar trebui amendată, nu mai avem pe unde merge cu căruciorul."),
        ],
        "praise": ["În sfârșit se poate plăti parcarea din aplicație, super!"],
        "suggestion": ["Faceți o parcare supraetajată în {district}, ar rezolva problema."],
    },
    "waste": {
        "question": [
            "Când vin să ia deșeurile voluminoase?",
            "Unde duc uleiul uzat de la bucătărie?",
        ],
        "complaint": [
            ("Gunoiul nu a mai fost ridicat de o săptămână pe {street}! Miroase îngrozitor."),
            "Containerele pentru plastic sunt mereu pline, nu e bine.",
            "Mașina de gunoi vine la 5 dimineața și trezește tot blocul.",
        ],
        "praise": [
            "Bravo pentru colectarea separată, în sfârșit!",
            "Mulțumim, au ridicat azi tot, foarte repede.",
        ],
        "suggestion": ["Puneți mai multe containere pentru sticlă în {district}, vă rog."],
    },
    "water": {
        "question": [
            "Iar nu avem apă caldă pe {street}. Până când?",
            "Apa are culoare maronie de ieri. Se poate bea?",
            "Când se reia furnizarea apei în cartierul {district}?",
        ],
        "complaint": [
            "Factura la apă a crescut cu 30%, nu e corect.",
            "A treia avarie în două săptămâni, nu mai putem așa!",
        ],
        "praise": [
            "Mulțumim, s-a rezolvat repede avaria.",
            "Echipa de intervenție a lucrat toată noaptea, respect!",
        ],
        "suggestion": ["Anunțați întreruperile și prin SMS, nu toată lumea are internet."],
    },
    "housing": {
        "question": [
            (
                "Sunt pe lista pentru locuință socială din 2019 și nu s-a mișcat nimic. Ce "
                "se întâmplă cu dosarele?"
            ),
            "Când se termină blocul de locuințe de pe {street}?",
        ],
        "complaint": ["Chiriile au ajuns imposibile pentru tineri, nu e normal."],
        "praise": ["Felicitări pentru blocul nou, arată foarte bine."],
        "suggestion": ["Reabilitați termic și blocurile vechi din {district}."],
    },
    "environment": {
        "question": [
            "De ce s-au tăiat copacii din {place}?",
            "Cine udă arborii plantați? Jumătate s-au uscat.",
        ],
        "complaint": [
            ("Aerul e irespirabil seara, cineva arde gunoaie la marginea orașului. Nu e bine!"),
            "Parcul e plin de gunoaie după fiecare weekend.",
        ],
        "praise": [
            "Felicitări pentru plantări! Mai multe spații verzi, vă rog.",
            "Foarte frumos parcul nou, copiii sunt încântați.",
        ],
        "suggestion": ["Puneți fântâni cu apă potabilă în parcuri."],
    },
    "safety": {
        "question": [
            "Câinii fără stăpân sunt o problemă în cartier. Cine se ocupă?",
            "Unde se poate reclama o mașină parcată pe trecerea de pietoni?",
        ],
        "complaint": [
            ("Pe {street} nu funcționează iluminatul public de o lună, e periculos seara."),
            "Se circulă cu viteză mare pe lângă școală și nu face nimeni nimic.",
        ],
        "praise": [
            "Mulțumim poliției locale pentru intervenția rapidă!",
            "Foarte utilă informarea, am primit și eu un astfel de telefon.",
        ],
        "suggestion": ["Mai multe patrule seara în {place}, vă rugăm."],
    },
    "health": {
        "question": [
            "Când se deschide secția renovată?",
            "Cum se face programarea la cardiologie? Telefonul sună ocupat mereu.",
            "Vaccinul antigripal se face și la farmacie?",
        ],
        "complaint": [
            "Am sunat de 20 de ori la programări și nu răspunde nimeni.",
            "Așteptare de 6 ore la urgențe, nu e normal.",
        ],
        "praise": [
            "Mulțumesc personalului de la UPU, foarte profesioniști!",
            "Doamna doctor de la pediatrie a fost minunată, mulțumim!",
        ],
        "suggestion": ["Faceți și programări online, ar scăpa toată lumea de cozi."],
    },
    "education": {
        "question": [
            "Când încep lucrările la școala nr. {n}? Copiii învață în clase reci.",
            "Cum se face înscrierea la grădiniță? Ce acte trebuie?",
        ],
        "complaint": ["Nu sunt locuri la grădinița din cartier, nu e bine deloc."],
        "praise": ["Felicitări elevilor premiați!", "Școala arată minunat după renovare."],
        "suggestion": ["Ar trebui un microbuz școlar și pentru satele din jur."],
    },
    "taxes": {
        "question": [
            "Se poate plăti impozitul online cu cardul?",
            "Până când se poate plăti fără penalități?",
        ],
        "complaint": [
            "Impozitele au crescut mult, iar străzile arată la fel.",
            "Am plătit și tot apare restanță în sistem. Nu e ok.",
        ],
        "praise": ["Plata online a mers foarte ușor, mulțumesc."],
        "suggestion": ["Trimiteți și notificări pe e-mail înainte de termen."],
    },
    "documents": {
        "question": [
            "Cât durează eliberarea pașaportului acum?",
            ("Nu găsesc programări libere la permise până în decembrie. Ce soluții sunt?"),
            "Ce acte trebuie pentru autorizația de construire?",
        ],
        "complaint": [
            "Certificatul de urbanism a durat 3 luni, nu e normal.",
            "Site-ul de programări nu funcționează de ieri.",
        ],
        "praise": ["Am primit pașaportul în 5 zile, foarte bine organizat."],
        "suggestion": ["Ar trebui un ghișeu deschis și sâmbăta."],
    },
    "events": {
        "question": ["Programul complet unde îl găsim?", "Intrarea e liberă și pentru copii?"],
        "complaint": [
            "Prea mult zgomot până la 2 noaptea, nu e ok pentru cei care lucrează.",
            "Nu sunt toalete suficiente la festival.",
        ],
        "praise": ["Superb concertul de aseară, mulțumim!", "Foarte frumos organizat, bravo!"],
        "suggestion": ["Anul viitor aduceți și formații locale."],
    },
    "social": {
        "question": [
            "Cum se obține ajutorul pentru încălzire?",
            (
                "Bunica mea așteaptă de luni de zile un răspuns la cererea de îngrijitor. "
                "Ce putem face?"
            ),
        ],
        "complaint": ["Formularele sunt prea complicate pentru oamenii în vârstă."],
        "praise": ["Mulțumim voluntarilor, faceți o treabă minunată!"],
        "suggestion": ["Faceți și un program de vizite la domiciliu pentru vârstnicii singuri."],
    },
}
CONSULTATION_REPLIES = [
    "Propun ca {place} să rămână zonă pietonală în weekend.",
    "Trimit o propunere: piste de biciclete pe {street} și bulevardul Unirii.",
    "Sunt de acord cu proiectul, dar lipsesc locurile de parcare pentru riverani.",
    "Nu sunt de acord cu creșterea tarifelor, nu e bine pentru pensionari.",
    "Propunere: bănci și umbrare în stațiile de autobuz.",
    "Documentul nu e clar la capitolul finanțare. De unde sunt banii?",
]
CONTEST_REPLIES = [
    "Am trimis fotografia mea, sper să vă placă!",
    "Participăm și noi cu desenul fiicei mele. Mulțumim pentru concurs!",
    "Ce frumoasă idee! Când se anunță câștigătorii?",
    "Iată balconul nostru înflorit, votați-ne!",
]
POLL_REPLIES = [
    "Am votat pentru spațiu verde, avem destule parcări.",
    "Votați și voi! Contează părerea fiecăruia.",
    "Eu aș vrea un teren de sport, copiii nu au unde juca fotbal.",
    "Bravo pentru sondaj, așa da!",
]
THANKS = [
    "Mulțumim pentru informare!",
    "Foarte util, mersi.",
    "Mulțumesc!",
    "Bună informare, mulțumim.",
    "Super, mulțumim!",
    "Mersi frumos pentru anunț.",
]
HOSTILE = [
    "Sunteți niște incompetenți! Demisia!",
    "Hoții ăștia fură tot, bătaie de joc!",
    "Rușine să vă fie, nu faceți nimic toată ziua.",
    "Idioților, ieșiți din birou și vedeți ce e pe străzi!",
    "Mafioții de la primărie iar ne mint.",
    "Toți sunteți la fel, niște paraziți pe banii noștri.",
    "Nu vă mai credem nimic, mincinoșilor!",
]
CITIZEN_TO_CITIZEN = [
    "Exact, și pe strada noastră e la fel.",
    "Ai dreptate, nu e normal.",
    "Nu e chiar așa, au reparat săptămâna trecută.",
    "Sunați la dispecerat, acolo răspund mai repede.",
    "De acord!",
    "Și eu am aceeași problemă de luni de zile.",
    "Mai bine depuneți o sesizare scrisă.",
]
FOLLOWUP_OK = [
    "Mulțumesc pentru răspuns!",
    "Ok, mulțumesc, aștept.",
    "Perfect, mersi!",
    "Mulțumesc, s-a rezolvat.",
]
FOLLOWUP_BAD = [
    "Tot nu s-a rezolvat nimic.",
    "Și când exact?",
    "Asta ați spus și luna trecută.",
    "Nu e un răspuns, e o scuză.",
]

EN_COMMENTS: dict[str, list[str]] = {
    "question": [
        "When will the road on {street} be fixed?",
        "Is the museum open on Sundays?",
        "Is there an English version of the tax form?",
        "Where can I park near the hospital?",
        "Is tap water safe to drink today?",
    ],
    "complaint": [
        "The bus schedule is a joke, I waited 40 minutes.",
        "This is not good enough. The garbage has been there for a week.",
        "Useless as always.",
    ],
    "praise": [
        "Great initiative, thank you!",
        "Lovely photos, I love this city!",
        "Thanks for the quick reply!",
    ],
    "suggestion": [
        "Please add bike lanes on the main boulevard.",
        "Information in English would help the many foreign students here.",
    ],
}
HU_COMMENTS: dict[str, list[str]] = {
    "question": [
        "Mikor javítják meg az utat a Fő utcán?",
        "Mikor lesz újra víz a lakótelepen?",
        "Magyarul is lehetne tájékoztatni?",
    ],
    "complaint": ["A busz megint késett, ez nem normális."],
    "praise": ["Köszönjük a tájékoztatást!", "Nagyon szép lett a park, gratulálok!"],
    "suggestion": ["Kérjük, a közleményeket magyarul is tegyék közzé."],
}
CAMPAIGN_TEXT = (
    "Spunem NU gropii de gunoi de la Valea Seacă! Sănătatea copiilor noștri nu e de "
    "vânzare. #NuGropiiDeGunoi"
)

# The institution's answers.
ANSWERS: dict[str, list[str]] = {
    "transport": [
        "Bună ziua! Linia {n} va avea o cursă suplimentară la ora 7:15 de luni.",
        "Am transmis sesizarea operatorului de transport, care va verifica situația.",
    ],
    "roads": [
        (
            "Bună ziua! Lucrările pe {street} sunt programate pentru luna {month}. Echipa de "
            "intervenție astupă gropile săptămâna aceasta."
        ),
        "Mulțumim pentru semnalare, am transmis sesizarea către Direcția de Drumuri.",
    ],
    "parking": [
        "Bună ziua! Cererea se poate depune și online, din contul de pe site.",
        "Am transmis sesizarea Poliției Locale, care va verifica zona.",
    ],
    "waste": [
        (
            "Bună ziua, am anunțat operatorul de salubrizare, echipajul ajunge astăzi pe "
            "{street}. Mulțumim!"
        ),
        "Deșeurile voluminoase se ridică la cerere, la numărul de telefon de pe site.",
    ],
    "water": [
        (
            "Echipele noastre lucrează la remedierea avariei. Estimăm reluarea furnizării până "
            "la ora {hour}."
        ),
        (
            "Apa este potabilă; culoarea se datorează lucrărilor și dispare după câteva "
            "minute de curgere."
        ),
    ],
    "housing": [
        (
            "Dosarele se analizează în ordinea punctajului. Vă rugăm să verificați lista "
            "actualizată la registratură."
        )
    ],
    "environment": [
        ("Arborii tăiați erau uscați și periculoși; în locul lor plantăm alții în toamnă."),
        "Am transmis sesizarea Gărzii de Mediu. Mulțumim!",
    ],
    "safety": [
        "Mulțumim! Am transmis sesizarea echipajului din zonă.",
        (
            "Sesizările privind câinii fără stăpân le preia serviciul de specialitate, la "
            "telefon sau pe e-mail."
        ),
    ],
    "health": [
        (
            "Vă rugăm să ne scrieți un mesaj privat cu datele de contact, ca să vă putem ajuta "
            "cu programarea."
        ),
        "Secția se redeschide luni. Vă mulțumim pentru răbdare!",
    ],
    "education": ["Înscrierile se fac online; lista actelor este pe site, la secțiunea Educație."],
    "taxes": [
        "Da, plata se poate face online cu cardul, fără comision.",
        "Vă rugăm să ne trimiteți dovada plății pe e-mail și corectăm situația.",
    ],
    "documents": [
        (
            "Programările se fac online; pentru situații urgente veniți la ghișeu cu "
            "documentul care dovedește urgența."
        ),
        "Termenul de eliberare este acum de 7 zile lucrătoare.",
    ],
    "events": [
        "Programul complet este publicat pe site. Vă așteptăm!",
        "Da, intrarea este liberă pentru toată lumea.",
    ],
    "social": [
        (
            "Cererea se depune la sediul direcției; un asistent social vă poate ajuta și la "
            "domiciliu. Vă rugăm să ne sunați."
        )
    ],
}
ANSWER_GENERIC = [
    (
        "Bună ziua! Vă mulțumim pentru semnalare. Am transmis sesizarea către {dept} și revenim cu un "
        "răspuns."
    ),
    "Mulțumim pentru mesaj! Vă rugăm să ne trimiteți detalii la {email}.",
]
ANSWER_THANKS = ["Vă mulțumim și noi!", "Mulțumim pentru aprecieri!", "Cu drag!"]
ANSWER_HOSTILE = [
    ("Vă rugăm să păstrați un limbaj civilizat. Sesizările concrete le puteți trimite la {email}.")
]
ANSWER_PROPOSAL = [
    "Vă mulțumim pentru propunere! O includem în raportul consultării publice.",
    "Mulțumim! Propunerea a fost înregistrată și va fi analizată de comisie.",
]
ANSWER_EN = [
    "Hello! Thank you for your message. We have forwarded it to {dept}.",
    "Hi! Yes, the information is on our website, in English too.",
]
ANSWER_DEEP = [
    "Revenim: echipa a verificat și lucrarea este programată săptămâna viitoare.",
    "Între timp am primit răspuns de la {dept}: problema se rezolvă până vineri.",
]

_DIACRITICS = str.maketrans("ăâîșşțţĂÂÎȘŞȚŢ", "aaissttAAISSTT")
_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")


def strip_diacritics(text: str) -> str:
    """The text as typed on a keyboard without Romanian diacritics."""
    return text.translate(_DIACRITICS)


def cedilla(text: str) -> str:
    """The text with the old cedilla forms ş ţ (common in older keyboards) instead of ș ț."""
    return text.translate(_CEDILLA)


def fill(template: str, rng: random.Random, **ctx: str) -> str:
    """The template with its placeholders filled (ctx first, then random choices)."""
    values = {
        "street": rng.choice(STREETS),
        "place": rng.choice(PLACES),
        "district": rng.choice(DISTRICTS),
        "n": str(rng.randint(2, 40)),
        "pct": str(rng.choice([35, 50, 60, 75, 85, 90])),
        "month": rng.choice(MONTHS[5:]),
        "hour": f"{rng.randint(15, 22)}:00",
        "dept": rng.choice(DEPTS),
        "subject": rng.choice(SUBJECTS),
    }
    values.update(ctx)
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def slug(text: str) -> str:
    """A WordPress-style slug: lowercase ASCII words joined by hyphens."""
    s = strip_diacritics(text).lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s[:60].rstrip("-")
