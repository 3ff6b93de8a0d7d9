# The PrairieLearn external-grader image for memlabs' lab @LAB@: the kit
# (hidden tests included) in /memlabs, built, the reference calibrated
# (setup.sh), and /memlabs/grade.sh the question's entrypoint.
#   docker build -t REGISTRY/memlabs-@LAB@ . && docker push REGISTRY/memlabs-@LAB@
# then name the image in the question's info.json ("externalGradingOptions").
FROM debian:bookworm
COPY memlabs /memlabs
RUN cd /memlabs && bash ./setup.sh && chmod 0755 /memlabs/grade.sh
