import ArgumentParser
import DoorpakApp
print("doorpak")
