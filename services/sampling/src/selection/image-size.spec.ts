import { imageSizeOf } from './image-size';

describe('imageSizeOf', () => {
  it('reads the pixel size a prediction carries in its metadata', () => {
    expect(imageSizeOf({ image_width: '640', image_height: '480', source: 'cam' })).toEqual({ imageWidth: 640, imageHeight: 480 });
  });

  it.each([[{}], [{ image_width: 'wide', image_height: '-3' }], [{ image_width: '12.5', image_height: '0' }], [{ image_width: '1e3', image_height: '' }]])(
    'treats a missing or malformed size as unknown (0): %j',
    (metadata) => {
      expect(imageSizeOf(metadata)).toEqual({ imageWidth: 0, imageHeight: 0 });
    },
  );
});
