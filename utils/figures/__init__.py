"""Static figures: one module per subject, each a set of ``draw_*`` functions that return their Axes (or
figure), for ``plt.show()`` in a notebook.

- ``history``: milestones of deep learning and their timeline (Chapter 00)
- ``diagrams``: schematics, drawn rather than computed: AI ⊃ ML ⊃ DL, a biological and an artificial neuron
- ``networks``: a network as neurons and weighted connections
- ``digits``: 8×8 digit images with their (predicted) labels
- ``initialization``: what each initialization scheme does to a deep stack's activations
- ``trajectories``: optimizers' paths on a surface's contours, loss vs step, learning-rate regimes in 1-D
- ``training_curves``: the digits network trained with each optimizer, batch size, lr scaling, Adam's eps; the LR
  range test (Chapter 05)
- ``training_practice``: learning curves by epoch and over data size, image grids, predictions, a confusion matrix
  (Chapter 06)
- ``cnn_inside``: a trained CNN from the inside (learned filters, feature maps, mistakes, shifted digits), MNIST-1D
  signals, MLP-vs-CNN curves, transfer-learning results (Chapter 08)

The rule: a static figure with drawing code of its own lives here; a ``draw_*`` that draws an explorer's
figure (with the explorer's figure class) stays beside its explorer in ``utils/widgets/``. The maths a
figure shows comes from a maths module (``utils.layer_statistics``, ``utils.network``, ...), never from here.
Importing any of these modules imports matplotlib and NumPy, never ipywidgets (a test checks it).
Import from the module, e.g. ``from utils.figures.history import draw_timeline``.
"""
