# Formatting numbers and text (plain output: OK).
import textwrap

x = 1234.5678
print(format(x, "0.2f"), format(x, ">10.1f"), format(x, ","), format(x, "0,.1f"))
print("{:>10}|{:<10}|{:^10}|".format("right", "left", "center"))
print(f"{255:#x} {255:#o} {255:#b} {0.125:.1%}")

s = ("Look into my eyes, look into my eyes, the eyes, the eyes, the eyes, "
     "not around the eyes, don't look around the eyes, look into my eyes, you're under.")
print(textwrap.fill(s, 40))
print(textwrap.fill(s, 50, initial_indent="    "))
print(" ".join(word.capitalize() for word in "hello python cookbook".split()))
