from django.db import models


class Supplier(models.Model):
    company_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=30, blank=True)


class PurchaseOrder(models.Model):
    supplier = models.ForeignKey("purchase_orders.Supplier", on_delete=models.PROTECT)
    reference = models.CharField(max_length=40)
    status = models.CharField(max_length=30, default="draft")
    sales_order = models.ForeignKey("sales_orders.Order", on_delete=models.SET_NULL, null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey("purchase_orders.PurchaseOrder", on_delete=models.CASCADE)
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(default=1)
