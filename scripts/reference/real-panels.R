# Real panels for the interval checks (sequential and Shapley unit-bootstrap intervals must
# contain their estimates): exported from plm and AER as CSV into test/fixtures/panels/.
# R 4.2, plm and AER as installed here; run: Rscript scripts/reference/real-panels.R
suppressPackageStartupMessages({ library(plm); library(AER) })
out <- "test/fixtures/panels"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
data("Grunfeld", package = "plm")
write.csv(Grunfeld[, c("firm", "year", "inv", "value", "capital")], file.path(out, "grunfeld.csv"), row.names = FALSE)
data("Cigar", package = "plm")
write.csv(Cigar[, c("state", "year", "sales", "price", "ndi", "pop")], file.path(out, "cigar.csv"), row.names = FALSE)
data("Produc", package = "plm")
write.csv(Produc[, c("state", "year", "gsp", "pcap", "emp", "unemp")], file.path(out, "produc.csv"), row.names = FALSE)
data("EmplUK", package = "plm")
write.csv(EmplUK[, c("firm", "year", "emp", "wage", "capital", "output")], file.path(out, "empluk.csv"), row.names = FALSE)
data("Fatalities", package = "AER")
f <- Fatalities
f$rate <- f$fatal / f$pop * 10000
write.csv(f[, c("state", "year", "rate", "beertax", "unemp", "income")], file.path(out, "fatalities.csv"), row.names = FALSE)
writeLines(c(
  sprintf("R %s", getRversion()),
  sprintf("plm %s", packageVersion("plm")),
  sprintf("AER %s", packageVersion("AER"))
), file.path(out, "VERSIONS.txt"))
