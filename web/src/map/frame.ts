// The map's SVG frame (viewBox units), shared by the lazily loaded map and its placeholder so the
// card keeps its height while the map's chunk loads. Africa under Mercator is about 800 × 745.

export const MAP_WIDTH = 800;
export const MAP_HEIGHT = 760;
export const MAP_PADDING = 8;
