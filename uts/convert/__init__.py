"""Conversion of labelled data: legacy and paper labels to UTS, and labels and class heads across UTS releases."""
