# Many small class instances, created, linked and dropped in waves.
class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

class Particle:
    def __init__(self, i):
        self.pos = Point(i, -i)
        self.vel = Point(1, 2)
        self.name = "p%d" % i

total = 0
for wave in range(6):
    particles = [Particle(i) for i in range(12000)]
    for p in particles:
        p.pos = Point(p.pos.x + p.vel.x, p.pos.y + p.vel.y)
    total += sum(p.pos.x for p in particles[::7])
    del particles[::2]
print(total)
