from django.db import models


class Customer(models.Model):
    COUNTRIES = [("US", "United States"), ("GB", "United Kingdom"), ("DE", "Germany"),
                 ("FR", "France"), ("IN", "India"), ("BR", "Brazil"), ("JP", "Japan"), ("CA", "Canada")]
    TIERS = [("free", "Free"), ("pro", "Pro"), ("enterprise", "Enterprise")]
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(unique=True)
    phone = models.CharField(max_length=32, blank=True)
    card_number = models.CharField("payment card", max_length=32, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    country = models.CharField(max_length=2, choices=COUNTRIES, default="US")
    tier = models.CharField(max_length=16, choices=TIERS, default="free")
    newsletter = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class Order(models.Model):
    STATUS = [("new", "New"), ("paid", "Paid"), ("shipped", "Shipped"), ("refunded", "Refunded")]
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    reference = models.CharField(max_length=20, unique=True)
    placed_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=STATUS, default="new")
    total = models.DecimalField(max_digits=9, decimal_places=2)
    gift = models.BooleanField(default=False)
    shipping_address = models.TextField(blank=True)

    def __str__(self):
        return self.reference
