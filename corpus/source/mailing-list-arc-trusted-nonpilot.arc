domain=lists.example
selector=arc2026
key=keys/lists.example.arc2026.rsa.pem
subject_prefix=[partners]
footer=You are subscribed to partners@lists.example
results=lists.example; spf=pass smtp.mailfrom=fabrikam.com; dkim=pass header.d=fabrikam.com; dmarc=pass header.from=fabrikam.com
