# The Autolab grading image for memlabs' lab @LAB@ (Tango's VM image): the
# kit in /memlabs, built and calibrated once; autograde-Makefile uses it
# when its VERSION matches the autograde.tar's.
#   docker build -t memlabs-@LAB@ .   (on the Tango host), then choose the
# image as the assessment's "VM image".
FROM debian:bookworm
COPY memlabs /memlabs
RUN cd /memlabs && bash ./setup.sh && chmod 0755 /memlabs/grade.sh
