# syntax=docker/dockerfile:1
# Build a static binary, then run it as an unprivileged user in a minimal image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# templ output (*_templ.go) is committed, so no generation step is needed here.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/plenary ./cmd/plenary
# Visa letters embed these fonts (Latin, Greek, Cyrillic; CJK; Arabic) in their PDFs.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core fonts-droid-fallback fonts-noto-core && rm -rf /var/lib/apt/lists/*

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/plenary /plenary
COPY --from=build /usr/share/fonts/truetype/dejavu/ /usr/share/fonts/truetype/dejavu/
COPY --from=build /usr/share/fonts/truetype/droid/ /usr/share/fonts/truetype/droid/
COPY --from=build /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf /usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf /usr/share/fonts/truetype/noto/
USER nonroot:nonroot
EXPOSE 8080
ENV ADDR=:8080
# DATABASE_URL must point to a PostgreSQL database; run `plenary migrate` once per release
# (or start with `serve --migrate`).
ENTRYPOINT ["/plenary"]
CMD ["serve"]
