from django.contrib import admin

admin.site.site_header = "Peerpath system admin"
admin.site.site_title = "Peerpath system admin"
