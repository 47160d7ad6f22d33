# Star expressions unpack iterables of arbitrary length (plain output: OK).
record = ("Dave", "dave@example.com", "773-555-1212", "847-555-1212")
name, email, *phone_numbers = record
print(name, email, phone_numbers)

*trailing, current = [10, 8, 7, 1, 9, 5, 10, 3]
print("average of trailing:", sum(trailing) / len(trailing), "current:", current)

records = [("foo", 1, 2), ("bar", "hello"), ("foo", 3, 4)]
for tag, *args in records:
    print(tag, args)

line = "nobody:*:-2:-2:Unprivileged User:/var/empty:/usr/bin/false"
uname, *fields, homedir, sh = line.split(":")
print(uname, homedir, sh, len(fields))
