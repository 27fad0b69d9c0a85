from django.contrib import admin

from .models import Customer, Order


class OrderInline(admin.TabularInline):
    model = Order
    extra = 1


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("first_name", "last_name", "email", "country", "tier", "newsletter", "created")
    list_filter = ("country", "tier", "newsletter", "created")
    search_fields = ("first_name", "last_name", "email", "phone")
    date_hierarchy = "created"
    inlines = [OrderInline]
    list_per_page = 25


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("reference", "customer", "placed_at", "status", "total", "gift")
    list_filter = ("status", "gift", "placed_at")
    search_fields = ("reference", "customer__email", "customer__last_name")
    date_hierarchy = "placed_at"
    list_editable = ("status",)
    autocomplete_fields = ("customer",)
    actions = ["mark_shipped"]

    @admin.action(description="Mark selected orders as shipped")
    def mark_shipped(self, request, queryset):
        queryset.update(status="shipped")
