from django.conf import settings
from django.db import models


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=30, default="new")
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    customer = models.ForeignKey("customers.Customer", on_delete=models.SET_NULL, null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="sales_order_status_idx")]


class OrderLine(models.Model):
    order = models.ForeignKey("sales_orders.Order", on_delete=models.CASCADE, related_name="lines")
    quantity = models.PositiveIntegerField(default=1)
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, to_field="sku", null=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
