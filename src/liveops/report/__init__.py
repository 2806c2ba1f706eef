"""The post-show report (复盘) as one self-contained HTML page (contract §13): the review's
numbers, inline SVG charts and generated findings, readable offline and printable."""
