import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand
from django.utils import timezone

from crm.models import Customer, Order

FIRST = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim",
         "Radia", "Guido", "Hedy", "John", "Katherine", "Donald", "Sophie", "Yukihiro", "Anita", "Bjarne"]
LAST = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie",
        "Allen", "Berners-Lee", "Perlman", "van Rossum", "Lamarr", "McCarthy", "Johnson", "Knuth",
        "Wilson", "Matsumoto", "Borg", "Stroustrup"]


class Command(BaseCommand):
    help = "Create the superuser, groups and fake CRM rows used by the recorder"

    def handle(self, *args, **opts):
        rnd = random.Random(1234)
        if not User.objects.filter(username="admin").exists():
            # Local throwaway credentials for a 127.0.0.1-only recording app.
            User.objects.create_superuser("admin", "admin@example.com", "rec-Password-123")
        for name in ["Support", "Sales", "Billing", "Editors"]:
            g, _ = Group.objects.get_or_create(name=name)
            g.permissions.set(Permission.objects.filter(content_type__app_label="crm")[: rnd.randint(2, 8)])
        for i in range(12):
            u, _ = User.objects.get_or_create(username=f"staff{i:02d}", defaults=dict(
                first_name=rnd.choice(FIRST), last_name=rnd.choice(LAST), email=f"staff{i:02d}@example.com",
                is_staff=True))
        now = timezone.now()
        for i in range(140):
            fn, ln = rnd.choice(FIRST), rnd.choice(LAST)
            c, created = Customer.objects.get_or_create(
                email=f"{fn.lower()}.{ln.lower().replace(' ', '')}{i}@example.com",
                defaults=dict(first_name=fn, last_name=ln, phone=f"+1 555 01{rnd.randint(10, 99)} {rnd.randint(1000, 9999)}",
                              country=rnd.choice(Customer.COUNTRIES)[0], tier=rnd.choice(Customer.TIERS)[0],
                              newsletter=rnd.random() < 0.4,
                              birth_date=datetime.date(rnd.randint(1950, 2004), rnd.randint(1, 12), rnd.randint(1, 28)),
                              notes=rnd.choice(["", "Prefers e-mail.", "VIP — call before shipping.", "Asked about invoices."])))
            if created:
                for j in range(rnd.randint(0, 4)):
                    Order.objects.create(customer=c, reference=f"ORD-{i:04d}-{j}",
                                         placed_at=now - datetime.timedelta(days=rnd.randint(0, 400), minutes=rnd.randint(0, 1440)),
                                         status=rnd.choice(Order.STATUS)[0],
                                         total=Decimal(rnd.randint(500, 90000)) / 100, gift=rnd.random() < 0.2)
        self.stdout.write("seeded")
