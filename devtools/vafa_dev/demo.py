"""The demo shop: a year of believable history, so the dashboard means something at first sight.

Everything comes from one seeded random generator, so the shop is the same on every start (only
the dates move with "now"): 400 customers with Persian names and Iranian mobile numbers, most
with marketing consent for SMS, half with a birthday; one-time buyers, occasional ones, loyal
regulars, customers who drift away and newcomers; more orders in the weeks before Yalda and
Nowruz, fewer during the Nowruz holidays; amounts in rials; a few refunds.

The story: the shop joined Vafa `LIVE_DAYS` ago. That day it imported its past orders through the
history writer (history only, as `vafa import` does by default) and switched win-back on. Since
then every order has gone through the live purchase path and earned cashback; some customers spent
it, a few orders were refunded; each week the expiry and reminders schedules ran (through the local
stack's `run_schedule`, so the queues and the SMS sender ran too), and some customers clicked the
link in a message before buying again. The replay runs every step at its own moment (rule 1: time
comes from the event), and the metrics schedule runs once at the end.

Win-back is off while the history is imported, so the year of lapsed customers does not all get a
message at the first run: the demo shows the reminders of its last weeks, not a launch-day wave.
Feedback requests stay off (one per order would outnumber everything else on the dashboard).
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jdatetime

SEED = 1405
CUSTOMERS = 400
LIVE_DAYS = 60  # the shop joined Vafa this many days ago; older orders are imported history
YEAR_DAYS = 365
RUN_AT = (6, 30)  # weekly schedules at 06:30 UTC: 10:00 in Tehran, outside quiet hours
TEHRAN = ZoneInfo("Asia/Tehran")
SHOP_NAME = "فروشگاه آنلاین نارون"
SHOP_URL = "https://naroon-shop.example"
RunSchedule = Callable[[str, datetime], Any]

_WOMEN = (
    "سارا:sara مریم:maryam زهرا:zahra فاطمه:fatemeh نرگس:narges الهام:elham شیما:shima "
    "نازنین:nazanin مهسا:mahsa نیلوفر:niloofar پریسا:parisa سمیرا:samira لیلا:leila مینا:mina "
    "هانیه:haniyeh ریحانه:reyhaneh آزاده:azadeh فرشته:fereshteh مژگان:mozhgan ترانه:taraneh "
    "یاسمن:yasaman ملیکا:melika آیدا:aida بهاره:bahareh سپیده:sepideh رویا:roya شقایق:shaghayegh "
    "پرستو:parastoo نگار:negar ستاره:setareh مهتاب:mahtab زینب:zeynab معصومه:masoumeh "
    "فریبا:fariba هستی:hasti آتنا:atena غزل:ghazal کیمیا:kimia سحر:sahar"
)
_MEN = (
    "علی:ali محمد:mohammad حسین:hossein رضا:reza مهدی:mahdi امیر:amir حمید:hamid سعید:saeed "
    "مجید:majid کاوه:kaveh آرش:arash بابک:babak پویا:pouya سینا:sina امید:omid نیما:nima "
    "بهزاد:behzad فرهاد:farhad کیان:kian آرمان:arman مسعود:masoud احسان:ehsan جواد:javad "
    "محسن:mohsen میلاد:milad پیمان:peyman شهرام:shahram داریوش:dariush بردیا:bardia "
    "سهراب:sohrab رامین:ramin هومن:houman عرفان:erfan مصطفی:mostafa مرتضی:morteza حامد:hamed "
    "وحید:vahid کامران:kamran"
)
_FAMILY = (
    "احمدی:ahmadi محمدی:mohammadi حسینی:hosseini رضایی:rezaei کریمی:karimi موسوی:mousavi "
    "جعفری:jafari کاظمی:kazemi صادقی:sadeghi رحیمی:rahimi نوری:nouri تهرانی:tehrani "
    "قاسمی:ghasemi هاشمی:hashemi عباسی:abbasi مرادی:moradi اکبری:akbari سلطانی:soltani "
    "یوسفی:yousefi نجفی:najafi شریفی:sharifi ابراهیمی:ebrahimi حیدری:heydari زارعی:zarei "
    "طاهری:taheri بهرامی:bahrami فرهادی:farhadi شجاعی:shojaei امینی:amini کرمانی:kermani "
    "شیرازی:shirazi اصفهانی:esfahani تبریزی:tabrizi رستمی:rostami نظری:nazari باقری:bagheri "
    "صفری:safari میرزایی:mirzaei خسروی:khosravi منصوری:mansouri وکیلی:vakili توکلی:tavakoli "
    "دهقان:dehghan کیانی:kiani ملکی:maleki نیک‌نام:niknam جهانگیری:jahangiri پورمحمدی:pourmohammadi"
)


def _pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(word.split(":")) for word in text.split()]  # type: ignore[misc]


WOMEN, MEN, FAMILY = _pairs(_WOMEN), _pairs(_MEN), _pairs(_FAMILY)
# Mobile prefixes by operator (MCI, Irancell, Rightel), weighted roughly by market share.
PREFIXES = (
    [(p, 55 / 15) for p in ("910", "911", "912", "913", "914", "915", "916", "917", "918", "919")]
    + [(p, 55 / 15) for p in ("990", "991", "992", "993", "994")]
    + [(p, 38 / 11) for p in ("901", "902", "903", "904", "905", "930", "933", "935", "936", "937", "938")]
    + [(p, 7 / 3) for p in ("920", "921", "922")]
)
HABITS = {"once": 48, "occasional": 22, "regular": 12, "drifting": 10, "newcomer": 8}


@dataclass(frozen=True)
class Person:
    customer_id: str
    name: str
    phone: str
    email: str | None
    birthday: dict[str, str] | None
    sms_consent: bool
    habit: str
    spend: float  # this customer's usual basket, relative to the shop's


@dataclass(frozen=True)
class Sale:
    order_id: str
    customer_id: str
    at: datetime
    amount: int  # rials
    refunded: int = 0


@dataclass
class Shop:
    """The generated shop: pure data, the same for the same seed, size and "now"."""

    people: list[Person]
    sales: list[Sale]
    joined: datetime  # the day the shop started with Vafa (LIVE_DAYS before now)

    @property
    def history(self) -> list[Sale]:
        return [s for s in self.sales if s.at < self.joined]

    @property
    def live(self) -> list[Sale]:
        return [s for s in self.sales if s.at >= self.joined]


def season(day: date) -> float:
    """Relative demand on a day: the weeks before Yalda and Nowruz are busy, the Nowruz holidays quiet."""
    jalali = jdatetime.date.fromgregorian(date=day)
    month, dom = jalali.month, jalali.day
    if month == 9 and dom >= 16:  # the two weeks before Shab-e Yalda (the last night of Azar)
        return 2.4
    if month == 12:  # Esfand: shopping for Nowruz, busiest in its last two weeks
        return 2.8 if dom >= 15 else 1.8
    if month == 1 and dom <= 13:  # the Nowruz holidays
        return 0.5
    if month in (4, 5):  # high summer
        return 0.85
    return 1.0


PEAK = 2.8


def occasions(now: datetime) -> list[tuple[float, float]]:
    """The shopping weeks before Yalda and before Nowruz in the past year, as (oldest, newest) days ago."""
    windows = []
    today = jdatetime.date.fromgregorian(date=now.date())
    for year in (today.year - 1, today.year):
        for month, first, last in ((9, 16, 30), (12, 12, 29)):
            start = jdatetime.date(year, month, first).togregorian()
            end = jdatetime.date(year, month, last).togregorian()
            oldest, newest = (now.date() - start).days, (now.date() - end).days
            if newest > 0 and oldest < YEAR_DAYS:
                windows.append((float(oldest), float(max(newest, 0))))
    return windows


def _person(rng: random.Random, index: int, phones: set[str], today: date) -> Person:
    woman = rng.random() < 0.55
    first_fa, first_en = rng.choice(WOMEN if woman else MEN)
    last_fa, last_en = rng.choice(FAMILY)
    prefixes, weights = zip(*PREFIXES, strict=True)
    while True:
        phone = f"+98{rng.choices(prefixes, weights)[0]}{rng.randrange(10**7):07d}"
        if phone not in phones:
            phones.add(phone)
            break
    email = f"{first_en}.{last_en}{rng.randrange(10, 100)}@example.com" if rng.random() < 0.3 else None
    birthday = None
    draw = rng.random()
    if draw < 0.45:
        year = jdatetime.date.fromgregorian(date=today).year - rng.randrange(18, 60)
        month = rng.randrange(1, 13)
        day = rng.randrange(1, 31 if month <= 6 else (31 if month < 12 else 30))
        birthday = {"calendar": "jalali", "date": f"{year:04d}-{month:02d}-{day:02d}"}
    elif draw < 0.5:
        born = today - timedelta(days=rng.randrange(18 * 365, 60 * 365))
        birthday = {"calendar": "gregorian", "date": born.isoformat()}
    habit = rng.choices(list(HABITS), list(HABITS.values()))[0]
    return Person(
        customer_id=f"C{10001 + index}",
        name=f"{first_fa} {last_fa}",
        phone=phone,
        email=email,
        birthday=birthday,
        sms_consent=rng.random() < 0.75,
        habit=habit,
        spend=math.exp(rng.gauss(0, 0.45)),
    )


def _seasonal_day(rng: random.Random, now: datetime, oldest: float, newest: float) -> float:
    """Days before now, in [newest, oldest), drawn in proportion to the season's demand."""
    while True:
        days = rng.uniform(newest, oldest)
        if rng.random() * PEAK <= season((now - timedelta(days=days)).date()):
            return days


def _moments(rng: random.Random, person: Person, now: datetime) -> list[float]:
    """When this customer ordered, in days before now (oldest first)."""
    habit = person.habit
    if habit == "once":
        return [_seasonal_day(rng, now, YEAR_DAYS, 0)]
    if habit == "newcomer":
        first = _seasonal_day(rng, now, LIVE_DAYS, 1)
        days = [first]
        if rng.random() < 0.4 and first > 12:
            days.append(first - rng.uniform(8, min(40, first - 1)))
        return days
    gap, stop = {
        "occasional": (rng.uniform(60, 130), 0.0),
        "regular": (rng.uniform(18, 40), 0.0),
        "drifting": (rng.uniform(20, 45), rng.uniform(70, 220)),
    }[habit]
    # Regulars (and those drifting away now) may have been customers before the shop's records begin:
    # their orders older than a year are not in the history, as with any shop's export.
    oldest = {"occasional": YEAR_DAYS - 30, "regular": YEAR_DAYS + 150, "drifting": YEAR_DAYS + 150}[habit]
    first = _seasonal_day(rng, now, oldest, max(stop + 30, 75 if habit == "occasional" else 45))
    days = [first]
    limit = 4 if habit == "occasional" else 24
    while len(days) < limit:
        busy = season((now - timedelta(days=days[-1])).date())
        step = max(4.0, rng.gammavariate(3.0, gap / 3.0) / busy)
        following = days[-1] - step
        if following <= max(stop, 0.05):
            break
        days.append(following)
    # Customers who were buying anyway shop once more for the occasion, some of them.
    for oldest_day, newest_day in occasions(now):
        active = any(abs(d - (oldest_day + newest_day) / 2) < 60 for d in days)
        inside = any(newest_day <= d <= oldest_day for d in days)
        if active and not inside and rng.random() < 0.45:
            days.append(rng.uniform(newest_day, oldest_day))
    days.sort(reverse=True)
    recorded = [d for d in days if d < YEAR_DAYS]
    return recorded or [_seasonal_day(rng, now, YEAR_DAYS, max(stop, 1.0))]


def _amount(rng: random.Random, person: Person, moment: datetime) -> int:
    """An order in rials: around 1.8 million toman, by the customer's habits, bigger in the busy weeks."""
    busy = 1.25 if season(moment.date()) > 1.5 else 1.0
    raw = math.exp(rng.gauss(math.log(18_000_000), 0.6)) * person.spend * busy
    return int(min(max(raw, 1_500_000), 250_000_000) // 10_000 * 10_000)


def _clock(rng: random.Random, now: datetime, days_before: float) -> datetime:
    """A shopping time of day in Tehran (mostly afternoons and evenings) on the chosen day."""
    day = (now - timedelta(days=days_before)).astimezone(TEHRAN).date()
    hour = rng.choices(range(8, 24), weights=[1, 2, 3, 3, 3, 3, 3, 4, 4, 5, 6, 7, 7, 6, 4, 2])[0]
    moment = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=TEHRAN)
    return min(moment.astimezone(UTC), now - timedelta(minutes=30))


def generate(now: datetime, customers: int = CUSTOMERS, seed: int = SEED) -> Shop:
    """The demo shop's customers and a year of orders ending at `now` (deterministic)."""
    now = now.astimezone(UTC).replace(microsecond=0)
    rng = random.Random(seed)
    phones: set[str] = set()
    people = [_person(rng, index, phones, now.date()) for index in range(customers)]
    drafts: list[tuple[datetime, Person]] = []
    for person in people:
        drafts.extend((_clock(rng, now, days), person) for days in _moments(rng, person, now))
    drafts.sort(key=lambda pair: (pair[0], pair[1].customer_id))
    sales = []
    for number, (moment, person) in enumerate(drafts, start=1):
        amount = _amount(rng, person, moment)
        draw, refunded = rng.random(), 0
        if draw < 0.03:
            refunded = amount
        elif draw < 0.06:
            refunded = int(amount * rng.uniform(0.2, 0.6)) // 10_000 * 10_000
        sales.append(Sale(f"NR-{100000 + number}", person.customer_id, moment, amount, refunded))
    return Shop(people, sales, now - timedelta(days=LIVE_DAYS))


def program_settings() -> dict[str, Any]:
    return {
        "shop_name": SHOP_NAME,
        "shop_url": SHOP_URL,
        "display_unit": "IRT",
        "cashback_rate_bps": 500,
        "cashback_expiry_days": 30,
        "channel_order": ["sms"],
        "sms": {"provider": "local"},  # the local stack's stand-in, named: nothing leaves the machine
        "holdout_percent": 10,
        "reminders": {
            "expiry_days_before": [3],
            "win_back_after_days": None,  # switched on once the history is in (see the module notes)
            "birthday_gift_amount": 2_000_000,
            "feedback_after_days": None,
        },
    }


@dataclass
class _Tally:
    history_orders: int = 0
    live_orders: int = 0
    refunds: int = 0
    redemptions: int = 0
    schedule_runs: int = 0
    clicks: int = 0
    phases: dict[str, float] = field(default_factory=dict)


def _weekly_runs(joined: datetime, now: datetime) -> list[datetime]:
    """The weekly schedule's times: at RUN_AT, from the first week after joining up to `now`."""
    moment = datetime.combine(joined.date(), datetime.min.time(), UTC).replace(
        hour=RUN_AT[0], minute=RUN_AT[1]
    ) + timedelta(days=7)
    runs = []
    while moment < now:
        runs.append(moment)
        moment += timedelta(days=7)
    return runs


def create_demo_shop(
    run_schedule: RunSchedule,
    now: datetime | None = None,
    customers: int = CUSTOMERS,
    seed: int = SEED,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Create the demo merchant as it was `LIVE_DAYS` ago and replay its days up to `now`.

    Returns the merchant's keys (`merchant`) and how much the replay wrote.
    """
    from vafa.merchants import ProgramStore, create_merchant
    from vafa.program import Program, merge_update

    from vafa_dev.history.reader import PastOrder
    from vafa_dev.history.writer import import_history

    started, cpu = time.monotonic(), time.process_time()
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    shop = generate(now, customers, seed)
    tally = _Tally()
    phase = time.monotonic()

    def done(name: str) -> None:
        nonlocal phase
        tally.phases[name] = round(time.monotonic() - phase, 2)
        phase = time.monotonic()
        if log is not None:
            log(f"  {name}: {tally.phases[name]:.1f} s")

    joined = shop.joined
    settings = program_settings()
    program = Program.model_validate(merge_update(Program(), settings))
    merchant = create_merchant(SHOP_NAME, joined, program)
    merchant_id = merchant.merchant_id
    people = {p.customer_id: p for p in shop.people}
    history = [
        PastOrder(
            row=index,
            order_id=sale.order_id,
            customer_id=sale.customer_id,
            amount=sale.amount,
            occurred_at=sale.at,
            refunded_amount=sale.refunded,
            phone=people[sale.customer_id].phone,
            email=people[sale.customer_id].email,
            name=people[sale.customer_id].name,
            birthday=people[sale.customer_id].birthday,
            consent={"sms": True} if people[sale.customer_id].sms_consent else None,
        )
        for index, sale in enumerate(shop.history, start=1)
    ]
    imported_at = joined + timedelta(minutes=10)
    summary = import_history(merchant_id, program, history, imported_at, workers=1)
    tally.history_orders = summary.imported
    store = ProgramStore(0)
    program = store.put(
        merchant_id,
        Program.model_validate(merge_update(program, {"reminders": {"win_back_after_days": 45}})),
        imported_at,
    )
    done("history import")
    _replay(merchant_id, program, shop, people, run_schedule, now, tally, done, seed)
    run_schedule("metrics", now)
    tally.schedule_runs += 1
    done("metrics")
    return {
        "merchant": merchant.as_dict(),
        "customers": len(shop.people),
        "history_orders": tally.history_orders,
        "live_orders": tally.live_orders,
        "refunds": tally.refunds,
        "redemptions": tally.redemptions,
        "schedule_runs": tally.schedule_runs,
        "clicks": tally.clicks,
        "phases": tally.phases,
        "seconds": round(time.monotonic() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),  # this process's; the stand-in runs in it too
    }


def _replay(
    merchant_id: str,
    program: Any,
    shop: Shop,
    people: dict[str, Person],
    run_schedule: RunSchedule,
    now: datetime,
    tally: _Tally,
    done: Callable[[str], None],
    seed: int = SEED,
) -> None:
    """The live weeks in time order: purchases (some spending credit), refunds, the weekly reminders,
    and the customers who click a message and come back because of it."""
    rng = random.Random(seed + 1)
    runs = _weekly_runs(shop.joined, now)
    queue: list[tuple[datetime, int, int, Any]] = []  # (when, kind, tie-breaker, what)
    order = 0

    def add(when: datetime, kind: int, what: Any) -> None:
        nonlocal order
        order += 1
        heapq.heappush(queue, (when, kind, order, what))

    for at in runs:
        add(at, 0, at)
    for sale in shop.live:
        add(sale.at, 1, sale)
    last: dict[str, datetime] = {}
    for sale in shop.history:
        last[sale.customer_id] = max(last.get(sale.customer_id, sale.at), sale.at)
    state = _LiveState(last=last)
    extra = 0
    while queue:
        at, kind, _, what = heapq.heappop(queue)
        if kind == 0:
            run_schedule("reminders", at)
            tally.schedule_runs += 1
            for customer_id, clicked_at in _clicks(merchant_id, at, state, people, rng):
                tally.clicks += 1
                if rng.random() < 0.6:  # came back because of the message
                    extra += 1
                    person = people[customer_id]
                    when = clicked_at + timedelta(hours=rng.uniform(2, 96))
                    if when < now:
                        sale = Sale(f"NR-{300000 + extra}", customer_id, when, _amount(rng, person, when))
                        add(when, 1, sale)
            continue
        if kind == 2:
            _refund(merchant_id, what, at, state)
            tally.refunds += 1
            continue
        sale = what
        if _purchase(merchant_id, program, sale, people[sale.customer_id], state, rng):
            tally.redemptions += 1
        tally.live_orders += 1
        if sale.refunded:
            when = sale.at + timedelta(days=rng.uniform(1, 6))
            if when < now:
                add(when, 2, sale)
    run_schedule("expiry", now)
    tally.schedule_runs += 1
    done("live weeks")


@dataclass
class _LiveState:
    last: dict[str, datetime]  # each customer's last purchase so far
    balances: dict[str, int] = field(default_factory=dict)
    bought_live: dict[str, list[datetime]] = field(default_factory=dict)
    asked: set[tuple[str, str]] = field(default_factory=set)  # (customer, run) already looked up


def _purchase(
    merchant_id: str, program: Any, sale: Sale, person: Person, state: _LiveState, rng: random.Random
) -> bool:
    """The order through the live path, after spending some credit on it; True when credit was spent."""
    from vafa.customers import ProfileIn
    from vafa.errors import VafaError
    from vafa.wallet.operations import PurchaseRequest, RedemptionRequest, record_purchase, redeem

    spent = False
    balance = state.balances.get(sale.customer_id, 0)
    if balance >= 200_000 and rng.random() < 0.6:
        amount = min(balance, sale.amount // 5) // 10_000 * 10_000
        rid = f"RD-{sale.order_id}"
        body = {"redemption_id": rid, "customer_id": sale.customer_id, "amount": amount}
        try:
            redeem(
                merchant_id,
                RedemptionRequest(rid, sale.customer_id, amount, sale.order_id, body),
                sale.at - timedelta(minutes=2),
            )
            spent = True
        except VafaError:
            pass  # the credit ran out meanwhile: the customer pays in full
    profile: dict[str, Any] = {"phone": person.phone, "name": person.name}
    if person.email:
        profile["email"] = person.email
    if person.birthday:
        profile["birthday"] = person.birthday
    if person.sms_consent:
        profile["consent"] = {"sms": True}
    body = {
        "order_id": sale.order_id,
        "customer_id": sale.customer_id,
        "amount": sale.amount,
        "occurred_at": sale.at.isoformat(),
    }
    request = PurchaseRequest(
        sale.order_id, sale.customer_id, sale.amount, sale.at, ProfileIn.model_validate(profile), None, body
    )
    answer = record_purchase(merchant_id, request, program, sale.at)
    state.balances[sale.customer_id] = int(answer["balance"])
    state.last[sale.customer_id] = max(state.last.get(sale.customer_id, sale.at), sale.at)
    state.bought_live.setdefault(sale.customer_id, []).append(sale.at)
    return spent


def _refund(merchant_id: str, sale: Sale, at: datetime, state: _LiveState) -> None:
    from vafa.wallet.operations import RefundRequest, refund

    amount = None if sale.refunded == sale.amount else sale.refunded
    rid = f"RF-{sale.order_id}"
    answer = refund(
        merchant_id, RefundRequest(sale.order_id, rid, amount, {"refund_id": rid, "amount": amount}), at
    )
    state.balances[sale.customer_id] = int(answer["balance"])


def _clicks(
    merchant_id: str, run: datetime, state: _LiveState, people: dict[str, Person], rng: random.Random
) -> list[tuple[str, datetime]]:
    """Who clicks the link in a message this run sent: looked up only for the customers the run was
    likely to message (win-back due, credit expiring within days), one partition Query each."""
    from vafa.messaging.signals import record_click
    from vafa.store import keys as k
    from vafa.store.models import Item, NotificationItem
    from vafa.timeutil import iso

    likely = []
    for customer_id, times in sorted(state.bought_live.items()):
        if not people[customer_id].sms_consent:
            continue
        lapsed = state.last[customer_id] <= run - timedelta(days=45)
        expiring = any(run < t + timedelta(days=30) <= run + timedelta(days=3) for t in times)
        if (lapsed and (customer_id, iso(state.last[customer_id])) not in state.asked) or expiring:
            likely.append(customer_id)
            if lapsed:
                state.asked.add((customer_id, iso(state.last[customer_id])))
    chances = {"win_back": 0.45, "expiry_reminder": 0.3, "birthday": 0.3}
    clicked = []
    prefix = f"{k.NOTE_PREFIX}{iso(run)}#"
    for customer_id in likely:
        for note in Item.query(k.customer_pk(merchant_id, customer_id), Item.SK.startswith(prefix)):
            if not (isinstance(note, NotificationItem) and note.status == "sent" and note.link):
                continue
            if rng.random() < chances.get(note.message_kind, 0.2):
                at = run + timedelta(hours=rng.uniform(1, 30))
                record_click(note.link.rsplit("/", 1)[1], at)
                clicked.append((customer_id, at))
    return clicked
