"""Draw the application icon (app.png, app.ico) with Pillow: 回 on a red rounded square.

Run by hand when the design changes: python resources/icons/make_icon.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
# AR PL UMing: the bundle's copy if built, else Debian's fonts-arphic-uming.
FONT = next(
    p
    for p in (
        HERE.parent / "fonts" / "uming.ttc",
        Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    )
    if p.exists()
)
SIZE = 256


def draw(size: int = SIZE) -> Image.Image:
    """Return the icon at one size."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=(178, 34, 34, 255))
    pen.rounded_rectangle(
        (size // 16, size // 16, size - size // 16, size - size // 16),
        radius=size // 8,
        outline=(255, 215, 0, 255),
        width=max(1, size // 40),
    )
    font = ImageFont.truetype(str(FONT), int(size * 0.72))
    pen.text((size / 2, size / 2), "回", font=font, fill=(255, 255, 255, 255), anchor="mm")
    return image


if __name__ == "__main__":
    icon = draw()
    icon.save(HERE / "app.png")
    icon.save(
        HERE / "app.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (256, 256)]
    )
