from django.db import models


class Warehouse(models.Model):
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=16, blank=True)
    active = models.BooleanField(default=True)
    capacity = models.PositiveIntegerField(default=0)


class Product(models.Model):
    name = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    sku = models.CharField(max_length=32, unique=True, null=True)
    weight_kg = models.DecimalField(max_digits=8, decimal_places=3, null=True)
    active = models.BooleanField(default=True)
    barcode = models.CharField(max_length=128, blank=True)
    category = models.CharField(max_length=80, blank=True, default="")


class StockLevel(models.Model):
    product = models.ForeignKey("inventory.Product", on_delete=models.CASCADE)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.CASCADE)
    quantity = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    updated = models.DateTimeField(null=True)
    supplier = models.ForeignKey("purchase_orders.Supplier", on_delete=models.SET_NULL, null=True, blank=True)
    reorder_level = models.IntegerField(default=0)


class Reservation(models.Model):
    order_line = models.ForeignKey("sales_orders.OrderLine", on_delete=models.CASCADE)
    stock = models.ForeignKey("inventory.StockLevel", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(null=True)
    expires = models.DateTimeField(null=True, blank=True)
