domain=proseware.example
selector=arc2026
key=keys/proseware.example.arc2026.rsa.pem
subject_prefix=[buyers]
footer=Proseware buyers forum - unsubscribe at forum.proseware.example
results=forum.proseware.example; spf=pass smtp.mailfrom=fabrikam.com; dkim=pass header.d=fabrikam.com; dmarc=pass header.from=fabrikam.com
