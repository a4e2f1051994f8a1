"""Labelled sentences, as a doctor would write a Balint case, and the scoring of the identifier check on them.

Each item is (sentence, kinds it contains). About half hold one or more identifiers; the
rest are tricky negatives: ages, doses, durations, blood pressures, times, years, scores,
ward and room numbers, lab values, codes, and titles with no name or only an initial, which
is how Balint groups are taught to anonymise. The numbers, e-mail addresses and streets are
fictional or reserved for examples (Ofcom drama ranges, 555-01xx, the stdnum test numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.identifiers import (
    DATE,
    DATE_OF_BIRTH,
    EMAIL,
    HEALTH_NUMBER,
    NAME,
    PHONE,
    POSTCODE,
    STREET,
    Finding,
)

NONE: frozenset[str] = frozenset()


def kinds(*names: str) -> frozenset[str]:
    return frozenset(names)


CASES: list[tuple[str, frozenset[str]]] = [
    # ------------------------------------------------------------ with identifiers
    ("Mrs Okafor came in again on Monday, still furious about the referral.", kinds(NAME)),
    ("He was born on 14/02/1961 and had not seen a doctor in twenty years.", kinds(DATE_OF_BIRTH)),
    ("Her daughter rang the surgery from 07700 900461 three times that afternoon.", kinds(PHONE)),
    ("The letter from the hospital, dated 3 November 2023, said nothing about the scan.", kinds(DATE)),
    ("Il s'appelle M. Lefèvre, il a 67 ans et vit seul depuis la mort de sa femme.", kinds(NAME)),
    ("Née le 12 mars 1948, elle refuse toute aide à domicile.", kinds(DATE_OF_BIRTH)),
    (
        "She gave me her personal e-mail, sarah.whitlock72@gmail.com, and asked me to write to her directly.",
        kinds(EMAIL),
    ),
    ("He lives alone at 14 Elm Street and the neighbours call us when he falls.", kinds(STREET)),
    ("His NHS number 943 476 5919 was on every page of the bundle I brought to the group.", kinds(HEALTH_NUMBER)),
    ("The MRN: 00457731 kept coming back on discharge summaries with the wrong diagnosis.", kinds(HEALTH_NUMBER)),
    ("Mr. O'Brien, DOB 02/07/1955, told me he would rather die at home.", kinds(NAME, DATE_OF_BIRTH)),
    ("Madame Rousseau m'a appelée au 06 12 34 56 78 un dimanche soir.", kinds(NAME, PHONE)),
    ("Elle habite au 12 rue de la Paix, 75002 Paris, au sixième sans ascenseur.", kinds(STREET, POSTCODE)),
    ("The family moved to 221B Baker St last spring, next door to her sister.", kinds(STREET)),
    (
        "Sa mère, Mme Benali, a fini par donner son numéro de sécurité sociale, 2 95 10 99 126 111 93, à l'accueil.",
        kinds(NAME, HEALTH_NUMBER),
    ),
    ("I called Dr Hamid at (613) 555-0171 to ask about an ICU bed.", kinds(NAME, PHONE)),
    ("Le patient, né le 1er janvier 2001, est arrivé aux urgences à 3 h du matin.", kinds(DATE_OF_BIRTH)),
    ("He gave his address as Flat 2, 10 Downing Street, which made the receptionist laugh.", kinds(STREET)),
    ("Postcode SW1A 1AA was on the referral, though she said she had moved.", kinds(POSTCODE)),
    ("She is registered with a practice in Ottawa, K1A 0B1, but lives with her son.", kinds(POSTCODE)),
    ("The insurer wanted his SSN, 536-90-4399, before they would approve the MRI.", kinds(HEALTH_NUMBER)),
    ("His OHIP number is 1234-567-890 AB and it had expired, so the clinic refused him.", kinds(HEALTH_NUMBER)),
    ("Le dossier n° 2019-00457 a été transmis au médecin du travail sans son accord.", kinds(HEALTH_NUMBER)),
    ("He was seen on 2023-04-17 and again a week later, by which time the rash had spread.", kinds(DATE)),
    ("Mr Nguyen and his wife both came to the appointment, and neither would sit down.", kinds(NAME)),
    ("I still have his mobile, +44 7700 900982, saved on my own phone, which troubles me.", kinds(PHONE)),
    ("She was born on March 3, 1972, and emigrated with her parents at age six.", kinds(DATE_OF_BIRTH)),
    ("Elle m'a écrit depuis l'adresse marie.dupont@orange.fr pour se plaindre de l'interne.", kinds(EMAIL)),
    ("Ms McAllister sat in the car park for an hour before coming in.", kinds(NAME)),
    ("He lives at 42 Wallaby Way, Sydney NSW 2000, with his brother.", kinds(STREET, POSTCODE)),
    ("His Medicare number 2123 45670 1 was in the notes I photocopied for the group.", kinds(HEALTH_NUMBER)),
    ("Hospital number RX4471932: I wrote it on the whiteboard without thinking.", kinds(HEALTH_NUMBER)),
    (
        "Herr Weber lives at Hauptstraße 12, 10115 Berlin, and speaks little English.",
        kinds(NAME, STREET, POSTCODE),
    ),
    ("Her birthday is on 5 June and she wanted to be home for it, whatever the risk.", kinds(DATE_OF_BIRTH)),
    ("The home visit was to 3 avenue Foch, where the concierge let me in.", kinds(STREET)),
    ("On 17.09.2022 she took an overdose of paracetamol; she was 19.", kinds(DATE)),
    ("Patient ID: AB123456 appeared on the screen while the student was watching.", kinds(HEALTH_NUMBER)),
    (
        "M. Girard m'a tendu sa carte avec son numéro, 01 42 68 53 00, en me disant de l'appeler si besoin.",
        kinds(NAME, PHONE),
    ),
    ("He lives in Beverly Hills, CA 90210, but comes to our free clinic.", kinds(POSTCODE)),
    ("d.o.b. 3.4.61, lives with partner, three children under five.", kinds(DATE_OF_BIRTH)),
    ("Miss Kowalski, born 29 Feb 1952, was brought in by the police.", kinds(NAME, DATE_OF_BIRTH)),
    ("I wrote to her at k.mensah@nhs.net and she replied within minutes, at midnight.", kinds(EMAIL)),
    ("Prof. Lindqvist reviewed the case on 12 January 2024 and disagreed with all of us.", kinds(NAME, DATE)),
    ("La famille habite au 8 bis boulevard Saint-Michel depuis trente ans.", kinds(STREET)),
    ("The CHI number 1203546678 was printed on the prescription he left in the waiting room.", kinds(HEALTH_NUMBER)),
    ("Call me on 0491 570 156, she said, and then never answered.", kinds(PHONE)),
    ("L'assistante sociale a noté son adresse : 25 chemin des Vignes, 69003 Lyon.", kinds(STREET, POSTCODE)),
    ("Her husband, Mr. Fitzgerald-Hughes, wanted everything recorded.", kinds(NAME)),
    ("Monsieur Haddad est revenu le 4 mars 2024 avec les mêmes douleurs.", kinds(NAME, DATE)),
    ("Unit number 5563812 was on the wristband, and she kept hiding it under her sleeve.", kinds(HEALTH_NUMBER)),
    ("Her German cousin phoned from +49 30 901820, worried sick.", kinds(PHONE)),
    ("He insisted his address was 1600 Pennsylvania Avenue NW, and nobody knew if he was joking.", kinds(STREET)),
    ("Mme Caron, date de naissance 23/11/1939, vit en EHPAD depuis 2020.", kinds(NAME, DATE_OF_BIRTH)),
    ("Her sister texted from 020 7946 0321 to say she was on her way.", kinds(PHONE)),
    ("Her number is 07911 123456 if you need it.", kinds(PHONE)),
    ("Mr Ahmed (DOB 1.1.1950) attends with his son.", kinds(NAME, DATE_OF_BIRTH)),
    ("He was born 04-11-1967, per the discharge letter.", kinds(DATE_OF_BIRTH)),
    ("Elle est née le 22/06/1985 à Marseille.", kinds(DATE_OF_BIRTH)),
    ("The ambulance took her home to 9 Cherry Tree Close.", kinds(STREET)),
    ("I wrote to Mrs. Van Dyke at 77 Sunset Blvd, Los Angeles, CA 90028.", kinds(NAME, STREET, POSTCODE)),
    ("Son adresse mail, j.moreau@free.fr, figurait sur la lettre.", kinds(EMAIL)),
    ("Il habite 4 place Bellecour à Lyon.", kinds(STREET)),
    ("Sa patiente, Mme Lambert, m'appelle au 04 78 12 34 56.", kinds(NAME, PHONE)),
    ("NHS No: 485 777 3456 was on the wristband.", kinds(HEALTH_NUMBER)),
    ("Hosp no 12345678 was written on the sticker.", kinds(HEALTH_NUMBER)),
    ("Her RAMQ number was on the form, LAMB 6512 2156.", kinds(HEALTH_NUMBER)),
    ("Dr. Nkemelu from the hospice phoned at 6 pm.", kinds(NAME)),
    ("The coroner's officer wrote on 21st September 2023.", kinds(DATE)),
    ("Sept. 4, 2021 was the last time I saw him.", kinds(DATE)),
    ("He emailed me from mike_t@yahoo.co.uk at 2 am.", kinds(EMAIL)),
    ("Her ZIP 02139 was on the insurance form.", kinds(POSTCODE)),
    ("She moved to 55 Queen St W, Toronto, ON M5H 2M9.", kinds(STREET, POSTCODE)),
    ("Tél. : +33 (0)6 12 34 56 78", kinds(PHONE)),
    ("Sa date de naissance, le 7 juillet 1944, tombait le jour de l'hospitalisation.", kinds(DATE_OF_BIRTH)),
    ("I rang her landline, 0131 496 0123, but it was disconnected.", kinds(PHONE)),
    ("Her chart # 889213 was flagged.", kinds(HEALTH_NUMBER)),
    ("Madame Leroy, 82 ans, veuve, vit seule.", kinds(NAME)),
    ("He lives at 10 Rillington Place.", kinds(STREET)),
    ("His Social Security number, 078-05-1120, was on the form.", kinds(HEALTH_NUMBER)),
    # ------------------------------------------------------------ tricky negatives
    ("A 54-year-old man came in with chest pain he had had for 3 years.", NONE),
    ("In 2019 she lost her job, and since then she has been drinking.", NONE),
    ("We met on Tuesday at 9 and again 2 weeks ago, at 19:00, after my evening surgery.", NONE),
    ("I started him on sertraline 50 mg once daily; 2x/day was never discussed.", NONE),
    ("His blood pressure was 140/90 and he rated the pain 7/10.", NONE),
    ("She has 3 children and a husband who works away for 6 months a year.", NONE),
    ("My registrar, a Dr with more patience than me, took over the consultation.", NONE),
    ("My GP trainer said I should bring this case to the group.", NONE),
    ("He was admitted to ward 12 and then moved to room 4 on the third floor.", NONE),
    ("Her HbA1c was 58 mmol/mol and her eGFR 45, which she did not want to hear about.", NONE),
    ("The diagnosis was coded as F32.1 in ICD-10, a moderate depressive episode.", NONE),
    ("Il a 67 ans, il fume 30 paquets-année et sa tension est à 14/9.", NONE),
    ("Elle vient tous les mardis à 9h30 depuis 3 ans, toujours avec sa fille.", NONE),
    ("Je lui ai prescrit 1 g de paracétamol 3 fois par jour pendant 5 jours.", NONE),
    ("Le Dr de garde n'a pas voulu se déplacer.", NONE),
    ("MMSE 24/30, GCS 15/15 on arrival, SpO2 92% on air.", NONE),
    ("She weighed 112 kg, BMI 41, and had tried 4 diets in 10 years.", NONE),
    ("He drank 40 units a week and had smoked 20 a day since he was 15.", NONE),
    ("The consultant said she had 6 to 12 months, maybe less.", NONE),
    ("I have been a GP for 22 years and this is the first time a patient has hit me.", NONE),
    ("We look after about 12000 patients in a practice spread over 3 villages.", NONE),
    ("Mrs B., as I will call her, is in her seventies and lives alone.", NONE),
    ("Mr X came with his wife; both are in their 80s.", NONE),
    ("At the 8:30 huddle I mentioned that the 2 p.m. clinic was overbooked by 4.", NONE),
    ("Her INR was 4.5 on warfarin 5 mg, and she had a bleed 10 days later.", NONE),
    ("PHQ-9 score of 18 and GAD-7 of 15 at the first visit, 9 and 7 three months later.", NONE),
    ("She is G3P2, 34 weeks pregnant with twins, after IVF in 2022.", NONE),
    ("The CRP was 120, WCC 18.5, and the lactate 4.2 when I saw him in bay 3, bed 14.", NONE),
    ("Elle prend du Lévothyrox 75 µg et sa TSH est à 8,2 mUI/L.", NONE),
    ("Je suis médecin généraliste depuis 1998 et installée en Bretagne depuis 2005.", NONE),
    ("The paramedics called 999 after 111 had told her to wait.", NONE),
    ("Extension 4521 rings in the empty office every morning at 7:45.", NONE),
    ("She had a 2 cm lump for 5 weeks before telling anyone, and a mammogram in May.", NONE),
    ("He was born in 1962, the youngest of 7 siblings.", NONE),
    ("I saw him 3 times in 4 weeks, each time with a new complaint.", NONE),
    ("The on-call Dr rang me back after 40 minutes.", NONE),
    ("CHA2DS2-VASc 4, HAS-BLED 3, QTc 480 ms on the ECG.", NONE),
    ("Ils ont 3 enfants, dont un de 2 ans, et vivent à 40 km de l'hôpital.", NONE),
    ("He takes 2 puffs of salbutamol 100 micrograms up to 4 times a day.", NONE),
    ("Vitamin D was 25 nmol/L, so we gave 50,000 IU weekly for 6 weeks.", NONE),
    ("The group meets on the 2nd Thursday of each month at 20:00 on Discord.", NONE),
    ("She scored 26 on the MoCA in 2021 and 19 in 2024.", NONE),
    ("Stage T2 N1 M0, Gleason 7 (3+4), PSA 12.4 ng/mL.", NONE),
    ("Le rendez-vous était à 14h, elle est arrivée à 15h15, furieuse.", NONE),
    ("I worked in Australia for 2 years, in a practice of 8 GPs near the coast.", NONE),
    ("He was on 40 mg of omeprazole, 2.5 mg bisoprolol and 20 mg atorvastatin.", NONE),
    ("Over 24 hours she passed 800 mL of urine, and her potassium was 6.1.", NONE),
    ("The audit covered 2018-2020 and 350 consultations.", NONE),
    ("Le patient, 45 ans, suivi depuis 2010, hospitalisé en 2015 et en 2017.", NONE),
    ("She was seen in the 10:15 slot, 20 minutes late, on a rainy Friday.", NONE),
    ("Her father, now 91, still drives to the practice twice a week.", NONE),
    ("Elle a consulté 14 fois en 2023 pour des douleurs abdominales, toutes explorées.", NONE),
    ("He has had 4 admissions in 12 months, the last on a Sunday.", NONE),
    ("She walked 5 km a day until the fall in 2021.", NONE),
    ("Metformin 500 mg BD, gliclazide 80 mg OD, 1 g paracetamol QDS PRN.", NONE),
    ("The Dr who referred him had left by the time I called.", NONE),
    ("Her CD4 count was 350 and viral load undetectable.", NONE),
    ("I spent 45 minutes with her; the clinic ran 90 minutes late.", NONE),
    ("Elle a perdu 8 kg en 3 mois, sans régime.", NONE),
    ("Our practice is in Zone 2, with 14 consulting rooms.", NONE),
    ("Apgar 9/10 at 5 minutes, weight 3400 g.", NONE),
    ("He smokes 15 roll-ups a day and drinks 6 cans on Fridays.", NONE),
    ("I was an F2 in 2015, a registrar in 2017, and a partner from 2020.", NONE),
    ("Saturation 88 % en air ambiant, FR 28/min.", NONE),
    ("He had 2 MIs, a CABG x3, and an ejection fraction of 35%.", NONE),
    ("NEWS2 score 7 at 21:30, escalated to the on-call team.", NONE),
    ("I saw her in Room 3B, Level 2, Outpatients.", NONE),
    ("Les urgences ont appelé le 15 à 23h.", NONE),
    ("Her K was 6.8, Na 128, urea 24 and creatinine 310.", NONE),
    ("He is 1 of 5 siblings, 3 of whom have diabetes.", NONE),
    ("She had 12 sessions of CBT between January and March.", NONE),
    ("At 37+2 weeks the baby was 2.9 kg.", NONE),
]


def score(find: Callable[[str], Iterable[Finding]]) -> tuple[float, float, int, int]:
    """Return recall, false-alarm rate, labelled pairs and identifier-free sentences for `find` on CASES."""
    pairs = found = clean = alarms = 0
    for sentence, labelled in CASES:
        got = {finding.kind for finding in find(sentence)}
        if labelled:
            pairs += len(labelled)
            found += len(labelled & got)
        else:
            clean += 1
            alarms += bool(got)
    return found / pairs, alarms / clean, pairs, clean
